-- wrk script: GET /v1/correct with queries read from the file given after "--".
local queries = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do queries[#queries + 1] = line end
end
function request()
  i = i % #queries + 1
  return wrk.format("GET", "/v1/correct?q=" .. queries[i])
end
