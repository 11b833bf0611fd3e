-- A copy of the anchor's ../shared/anchors/fastify/mix.lua, unchanged below this comment: bench/
-- http_bench.py runs the anchor's own file and uses this one only when that folder is missing.
-- A mobile client's day against /api/v1, the same requests for any server: per request, the next
-- user (round robin) and that user's next operation, from a fixed schedule of 100 in the weights
-- below (interleaved, smooth weighted round robin). Every user walks the same schedule, each
-- from its own starting point, so consecutive requests do different things.
--
-- MIX_DATA names the data file, one line per user, four fields separated by spaces:
--   <access token> <category id> <task id>,<task id>,... <goal id>,<goal id>,...
-- The first two task ids are the timer pair (each `start` goes to the one not started last, so
-- every start pauses the other); the others (at least one) are read and patched in turn. Goals
-- get progress in turn. MIX_RUNNING may name a file of the task ids running now (one a line,
-- after a warm-up): a user's first start then goes to the other task of the pair, never a no-op.
--
-- Run one connection per thread and say how many threads: MIX_THREADS=16 wrk -t16 -c16 ...
-- Each thread then drives its own users (user i belongs to thread i mod 16), one request at a
-- time per user, like one phone each, and counts its answers per operation exactly (a response
-- belongs to its thread's last request). done() prints one line per operation:
--   mix-op <operation> <responses> <non-2xx> [<status>x<count> ...]
local weights = {
  {"list_tasks", 25}, {"task_detail", 10}, {"me", 5}, {"list_goals", 10}, {"list_checkins", 5},
  {"create_task", 8}, {"patch_task", 10}, {"timer_start", 15}, {"post_checkin", 5}, {"post_progress", 7},
}

local function schedule()
  local seq, credit, total = {}, {}, 0
  for i, w in ipairs(weights) do credit[i] = 0; total = total + w[2] end
  for _ = 1, total do
    local best
    for i, w in ipairs(weights) do
      credit[i] = credit[i] + w[2]
      if not best or credit[i] > credit[best] then best = i end
    end
    credit[best] = credit[best] - total
    seq[#seq + 1] = weights[best][1]
  end
  return seq
end

local function split(s, sep)
  local out = {}
  for part in string.gmatch(s, "[^" .. sep .. "]+") do out[#out + 1] = part end
  return out
end

-- main state: number the threads (thread 1 also gets wrk's one verification call of request())
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_index", #threads)
end

local seq, users, turn = nil, {}, 0
local verified = false
local last, outstanding = nil, 0
-- Counts per operation. done() reads them through thread:get, which in wrk 4.1 only carries
-- plain values safely (a table crashes it), so each count is also a global of its own:
-- n_<op>, bad_<op> and codes_<op> ("404x2 500x1"); `overlapped` flags several requests in flight.
local stats, keys = {}, {}
overlapped = false

local nonce  -- this run's mark in patched titles, so a patch always changes the task

function init(args)
  seq = schedule()
  nonce = os.time() % 100000
  local running = {}
  if os.getenv("MIX_RUNNING") then
    for id in io.lines(os.getenv("MIX_RUNNING")) do running[id] = true end
  end
  local path = os.getenv("MIX_DATA") or error("MIX_DATA: set it to the data file")
  local nthreads = tonumber(os.getenv("MIX_THREADS") or "1")
  local n = 0
  for line in io.lines(path) do
    local f = split(line, " \t")
    if #f >= 4 then
      n = n + 1
      if nthreads == 1 or (n - 1) % nthreads == thread_index - 1 then
        local tasks = split(f[3], ",")
        if #tasks < 3 then error(path .. ": a user needs at least 3 task ids") end
        users[#users + 1] = {
          get = {Authorization = "Bearer " .. f[1]},
          json = {Authorization = "Bearer " .. f[1], ["Content-Type"] = "application/json"},
          -- starting points 7 apart (7 is prime to 100: 50 users, 50 different ones)
          category = f[2], tasks = tasks, goals = split(f[4], ","), step = (n - 1) * 7, count = {},
          started = running[tasks[1]] and 1 or 2,  -- the task of the pair started last
        }
      end
    end
  end
  if #users == 0 then error(path .. ": no users for thread " .. thread_index .. " of MIX_THREADS=" .. nthreads) end
  for _, w in ipairs(weights) do
    local op = w[1]
    stats[op] = {n = 0, bad = 0, codes = {}}
    keys[op] = {n = "n_" .. op, bad = "bad_" .. op, codes = "codes_" .. op}
    _G[keys[op].n], _G[keys[op].bad], _G[keys[op].codes] = 0, 0, ""
  end
end

-- the k-th use of something by user u (1-based)
local function nth(u, key)
  u.count[key] = (u.count[key] or 0) + 1
  return u.count[key]
end

local function build(op, u)
  if op == "list_tasks" then return "GET", "/api/v1/tasks", u.get
  elseif op == "list_goals" then return "GET", "/api/v1/goals", u.get
  elseif op == "list_checkins" then return "GET", "/api/v1/checkins", u.get
  elseif op == "me" then return "GET", "/api/v1/auth/me", u.get
  elseif op == "task_detail" then
    local k = nth(u, op)
    return "GET", "/api/v1/tasks/" .. u.tasks[3 + (k - 1) % (#u.tasks - 2)], u.get
  elseif op == "patch_task" then
    local k = nth(u, op)
    local priority = ({"low", "medium", "high"})[1 + k % 3]
    return "PATCH", "/api/v1/tasks/" .. u.tasks[3 + (k - 1) % (#u.tasks - 2)], u.json,
      string.format('{"title":"Tarea revisada %d-%d","priority":"%s","description":"Revision %d desde el movil"}', nonce, k, priority, k)
  elseif op == "create_task" then
    local k = nth(u, op)
    return "POST", "/api/v1/tasks", u.json,
      string.format('{"title":"Nueva tarea %d","description":"Creada desde el movil","category":"%s","priority":"high","estimated_minutes":25}', k, u.category)
  elseif op == "timer_start" then
    u.started = 3 - u.started  -- the other one of the pair
    return "POST", "/api/v1/tasks/" .. u.tasks[u.started] .. "/start", u.get, ""
  elseif op == "post_checkin" then
    local k = nth(u, op)
    return "POST", "/api/v1/checkins", u.json,
      string.format('{"kind":"adhoc","mood":%d,"energy":%d,"note":"Check-in %d"}', 1 + k % 5, 1 + (k + 2) % 5, k)
  elseif op == "post_progress" then
    local k = nth(u, op)
    return "POST", "/api/v1/goals/" .. u.goals[1 + (k - 1) % #u.goals] .. "/progress", u.json,
      string.format('{"value":"1.50","note":"Entrada %d"}', k)
  end
end

function request()
  if thread_index == 1 and not verified then
    verified = true  -- wrk parses one request before the run and never sends it
    return wrk.format("GET", "/health")
  end
  local u = users[turn % #users + 1]
  turn = turn + 1
  local op = seq[u.step % #seq + 1]
  u.step = u.step + 1
  last = op
  outstanding = outstanding + 1
  if outstanding > 1 then overlapped = true end
  local method, path, headers, body = build(op, u)
  return wrk.format(method, path, headers, body)
end

function response(status)
  outstanding = 0
  local s, k = stats[last], keys[last]
  s.n = s.n + 1
  _G[k.n] = s.n
  if status < 200 or status > 299 then
    s.bad = s.bad + 1
    s.codes[status] = (s.codes[status] or 0) + 1
    local codes = {}
    for code, count in pairs(s.codes) do codes[#codes + 1] = code .. "x" .. count end
    table.sort(codes)
    _G[k.bad], _G[k.codes] = s.bad, table.concat(codes, " ")
  end
end

function done(summary, latency, requests)
  local approximate = false
  for _, thread in ipairs(threads) do
    if thread:get("overlapped") then approximate = true end
  end
  for _, w in ipairs(weights) do
    local op, n, bad, codes = w[1], 0, 0, {}
    for _, thread in ipairs(threads) do
      n = n + thread:get("n_" .. op)
      bad = bad + thread:get("bad_" .. op)
      for code, count in string.gmatch(thread:get("codes_" .. op), "(%d+)x(%d+)") do
        codes[code] = (codes[code] or 0) + tonumber(count)
      end
    end
    local listed = {}
    for code, count in pairs(codes) do listed[#listed + 1] = code .. "x" .. count end
    table.sort(listed)
    io.write(string.format("mix-op %s %d %d %s\n", op, n, bad, table.concat(listed, " ")))
  end
  local wanted = tonumber(os.getenv("MIX_THREADS") or "1")
  if wanted ~= 1 and wanted ~= #threads then
    io.write(string.format("mix-op note: MIX_THREADS=%d but wrk ran %d threads: not every user was driven\n", wanted, #threads))
  end
  if approximate then
    io.write("mix-op note: a thread had several requests in flight (more connections than threads):\n" ..
             "per-operation counts are approximate; run wrk -tN -cN with MIX_THREADS=N\n")
  end
end
