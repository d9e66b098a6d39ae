"""Once an app has started, what is alive then (modules, routes, models, the engine) is frozen
out of the cyclic garbage collector (`dkbuza_kit.app.freeze_startup_heap`), once per process."""

import gc

from dkbuza_kit.app import freeze_startup_heap


async def test_a_started_app_has_frozen_its_startup_heap(harness):
    assert gc.get_freeze_count() > 0  # the harness ran the kit test app's lifespan


def test_the_heap_is_frozen_once_per_process():
    freeze_startup_heap()
    frozen = gc.get_freeze_count()
    later = [{"n": n} for n in range(1000)]  # objects made after the first freeze
    freeze_startup_heap()
    assert later and gc.get_freeze_count() == frozen
