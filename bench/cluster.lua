-- wrk script of bench/cluster.sh: leaders reading the pages given after `--` in turn, with the answers that were
-- not 200 counted by status; prints one line: RESULT requests/s p50(ms) p99(ms) connect read write timeout codes
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = args
  counter = 0
  statuses = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  end
end

function done(summary, latency, requests)
  local codes = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      codes[code] = (codes[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(codes) do
    table.insert(parts, "http" .. code .. "=" .. n)
  end
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.0f %.0f %d %d %d %d %s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
