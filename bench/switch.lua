-- The timer switch, as the anchor's switch.lua: POST start alternating between two tasks of one
-- user, so each start pauses the other. TOKEN, TASK_A and TASK_B come from the environment.
local a, b, token = os.getenv("TASK_A"), os.getenv("TASK_B"), os.getenv("TOKEN")
local n = 0
request = function()
  n = n + 1
  local id = (n % 2 == 0) and a or b
  return wrk.format("POST", "/api/v1/tasks/" .. id .. "/start", {["Authorization"] = "Bearer " .. token}, "")
end
