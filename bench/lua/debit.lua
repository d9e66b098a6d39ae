-- Customs debits (POST /v1/customs/debits): each request a new declaration (unique MRN)
-- of quantity 1 on the next licence of BENCH_LICENCES (comma-separated numbers, line 1),
-- round robin, so 32 connections spread over the licences (or all hit one hot line).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN")
local tag = os.getenv("BENCH_RUN_TAG")  -- 3 characters [A-Z0-9], unique per run
local licences = {}
for number in string.gmatch(os.getenv("BENCH_LICENCES"), "[^,]+") do
  table.insert(licences, number)
end
local counter = 0
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_no", thread_counter)
end

function request()
  counter = counter + 1
  -- MRN: 2 digits, 2 letters, 14 alphanumerics = run tag (3) + thread (1) + counter (10).
  local mrn = string.format("26BE%s%d%010d", tag, (thread_no or 0) % 10, counter)
  local body = string.format(
    '{"licence_number":"%s","line_no":1,"mrn":"%s","item_number":1,' ..
    '"quantity":"1.000","value":"10.00"}',
    licences[(counter % #licences) + 1], mrn)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
