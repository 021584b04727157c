-- wrk script for the Portkey peer (bench/peers/portkey.sh): the non-streaming chat
-- completion of bench/proxy/run.sh, OpenAI -> OpenAI through Portkey to a custom host.
--   PORTKEY_UPSTREAM=http://127.0.0.1:18401/v1 wrk -t2 -c64 -d5s -s bench/peers/portkey-post.lua http://127.0.0.1:PORT/v1/chat/completions
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-upstream"
wrk.headers["x-portkey-provider"] = "openai"
wrk.headers["x-portkey-custom-host"] = os.getenv("PORTKEY_UPSTREAM") or "http://127.0.0.1:18401/v1"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello in one short sentence."}],"temperature":0.2}'
