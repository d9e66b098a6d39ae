from dkbuza_kit.testing import app_harness_fixture

harness = app_harness_fixture("planning")
