-- The timer switch spread over many users: USERS_FILE has one "<token> <task a> <task b>" line
-- per user; requests go to the users in turn and each user alternates between its two tasks,
-- so concurrent requests rarely wait on the same user's row lock.
local users = {}
for line in io.lines(os.getenv("USERS_FILE")) do
  local token, a, b = line:match("(%S+) (%S+) (%S+)")
  users[#users + 1] = {token, a, b}
end
local n = 0
request = function()
  local u = users[(n % #users) + 1]
  local id = (math.floor(n / #users) % 2 == 0) and u[2] or u[3]
  n = n + 1
  return wrk.format("POST", "/api/v1/tasks/" .. id .. "/start", {["Authorization"] = "Bearer " .. u[1]}, "")
end
