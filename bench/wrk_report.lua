-- Loaded by wrk for every page. With a requests file (one request per line: method, path,
-- cookie header, form body, separated by tabs) it cycles through those requests, so each
-- sign-up POST is a different person and opportunity; without one it repeats the URL given
-- on the command line. At the end it prints one line of JSON for bench/load.py to read.

local lines = {}
local counter = 0

function init(args)
  local path = args[1]
  if path then
    for line in io.lines(path) do
      local method, target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if method then
        local headers = {}
        if cookie ~= "" then
          headers["Cookie"] = cookie
        end
        if method == "POST" then
          headers["Content-Type"] = "application/x-www-form-urlencoded"
        end
        lines[#lines + 1] = wrk.format(method, target, headers, body ~= "" and body or nil)
      end
    end
  end
end

function request()
  if #lines == 0 then
    return wrk.request()
  end
  counter = counter + 1
  return lines[((counter - 1) % #lines) + 1]
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
