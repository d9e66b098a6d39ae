-- POST a JSON body (BENCH_BODY) to BENCH_PATH with a bearer token (BENCH_TOKEN).
-- With BENCH_IDEMPOTENCY=1 every request carries a fresh Idempotency-Key (as a client
-- creating a case does), so each request creates a new resource. A "{{TARGET}}" in the body
-- is replaced round robin by the comma-separated values of BENCH_TARGETS.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local path = os.getenv("BENCH_PATH")
local body = os.getenv("BENCH_BODY")
local token = os.getenv("BENCH_TOKEN")
local tag = os.getenv("BENCH_RUN_TAG")
local with_key = os.getenv("BENCH_IDEMPOTENCY") == "1"
local targets = {}
for value in string.gmatch(os.getenv("BENCH_TARGETS") or "", "[^,]+") do
  table.insert(targets, value)
end
local counter = 0
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_no", thread_counter)
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }
  if with_key then
    headers["Idempotency-Key"] = string.format("%s-%d-%d", tag, thread_no or 0, counter)
  end
  local this_body = body
  if #targets > 0 then
    this_body = string.gsub(body, "{{TARGET}}", targets[(counter % #targets) + 1])
  end
  return wrk.format("POST", path, headers, this_body)
end
