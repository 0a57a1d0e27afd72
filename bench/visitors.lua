-- wrk script: each request carries the next cookie from the file named by BENCH_COOKIES (one
-- per line), so wrk's connections act as different visitors, each with a session of their
-- own, rather than as one visitor clicking eight times at once. Method, path and the other
-- headers are wrk's own (-H).
local cookies = {}
local index = 0

local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_COOKIES")) do
    cookies[#cookies + 1] = line
  end
  -- Threads start half the list apart.
  index = (tonumber(wrk.thread:get("id")) - 1) * math.floor(#cookies / 2)
end

function request()
  index = index % #cookies + 1
  return wrk.format(nil, nil, { ["Cookie"] = cookies[index] })
end
