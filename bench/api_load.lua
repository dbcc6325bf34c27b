-- wrk script for bench/api_bench.sh. MODE=detail: GET /api/v1/patients/{random id};
-- MODE=search: a random one of HER-SYS ID, kana prefix, birth date.
local token = os.getenv("TOKEN")
local rows = tonumber(os.getenv("ROWS"))
local mode = os.getenv("MODE") or "detail"
local kana = {"%E3%82%B5%E3%83%88%E3%82%A6", "%E3%82%B9%E3%82%BA%E3%82%AD", "%E3%82%BF%E3%83%8A%E3%82%AB",
              "%E3%83%AF%E3%82%BF%E3%83%8A%E3%83%99", "%E3%82%A4%E3%83%88%E3%82%A6", "%E3%83%A4%E3%83%9E%E3%83%A2%E3%83%88"}
local headers = {["Authorization"] = "Bearer " .. token}

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  if mode == "detail" then
    return wrk.format("GET", "/api/v1/patients/" .. math.random(1, rows), headers)
  end
  local pick = math.random(1, 3)
  if pick == 1 then
    return wrk.format("GET", "/api/v1/patients?hersys_id=" .. (1000000 + math.random(0, rows - 1)), headers)
  elseif pick == 2 then
    return wrk.format("GET", "/api/v1/patients?limit=20&kana=" .. kana[math.random(1, #kana)], headers)
  end
  local y = math.random(1930, 2015)
  local m = math.random(1, 12)
  local d = math.random(1, 28)
  return wrk.format("GET", string.format("/api/v1/patients?limit=20&birth_date=%04d-%02d-%02d", y, m, d), headers)
end

local errors = 0
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"mode":"%s","requests":%d,"seconds":%.2f,"requests_per_s":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"socket_errors":%d,"non_2xx":%d}\n',
    mode, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
