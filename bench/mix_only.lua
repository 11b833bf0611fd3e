-- Appended by bench/http_bench.py to mix.lua (the anchor's own, ../shared/anchors/fastify/mix.lua)
-- to run one of its operations alone: MIX_ONLY names it. The schedule is built from mix.lua's
-- `weights` in init(), which runs after this chunk, so narrowing that table here leaves every
-- request exactly as the mix builds it (same data file, users, bodies, timer pairs).
do
  local only = os.getenv("MIX_ONLY")
  local kept
  for _, w in ipairs(weights) do
    if w[1] == only then kept = w end
  end
  if not kept then error("MIX_ONLY=" .. tostring(only) .. ": not an operation of mix.lua") end
  for i = #weights, 1, -1 do weights[i] = nil end
  weights[1] = kept
end
