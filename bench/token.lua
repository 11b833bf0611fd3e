-- GET with the bearer token from TOKEN (wrk's -H would work too; this keeps tokens off the
-- command line, where `ps` shows them to every user of the machine).
local token = os.getenv("TOKEN")
request = function()
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
end
