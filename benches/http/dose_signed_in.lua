-- wrk script: POST one dose to the JSON API with HTTP Basic credentials (bench:a long password
-- for the bench), as a pharmacy system signed in as a user would.
wrk.method = "POST"
wrk.body = '{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic YmVuY2g6YSBsb25nIHBhc3N3b3JkIGZvciB0aGUgYmVuY2g="
