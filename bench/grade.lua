-- wrk script: POST one grade per request, each with a different learner state, read from
-- the file named by BENCH_GRADES ("cookie<TAB>token" lines). Threads take alternate lines so
-- no token is used twice; when the file runs out, requests become (valid) repeats.
local lines = {}
local index, step = 0, 1
local csrf = os.getenv("BENCH_CSRF")

local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_GRADES")) do
    lines[#lines + 1] = line
  end
  index = tonumber(wrk.thread:get("id")) - 1
  step = tonumber(os.getenv("BENCH_THREADS") or "2")
end

function request()
  index = index % #lines + 1
  local cookie, token = lines[index]:match("([^\t]+)\t([^\t]+)")
  index = index + step - 1
  local body = "rating=3&scope=all&token=" .. token
  return wrk.format("POST", "/study/grade/", {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
