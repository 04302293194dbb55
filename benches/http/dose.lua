-- wrk script: POST one dose to the JSON API, as a pharmacy system would.
wrk.method = "POST"
wrk.body = '{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}'
wrk.headers["Content-Type"] = "application/json"
