-- Replays pre-built requests from a file, one per line: "<path?query>\t<body>".
-- Each request is used once, so every WeChat message is new (no dedupe short-cut).
local requests = {}
local index = 0

function init(args)
  for line in io.lines(args[1]) do
    local target, body = line:match("^([^\t]*)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", target, {["Content-Type"] = "text/xml"}, body)
  end
end

function request()
  index = index + 1
  if index > #requests then index = 1 end
  return requests[index]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "non2xx": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
