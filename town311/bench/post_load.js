// Loads a form post with autocannon, giving every call its own body: the
// text "[n]" in the body becomes a counter, so the API's guard against
// repeated posts never folds two calls into one.
// Usage: node post_load.js URL BODY CONNECTIONS SECONDS; prints autocannon's JSON.
const autocannon = require("autocannon");

const [url, body, connections, seconds] = process.argv.slice(2);
let calls = 0;

autocannon(
  {
    url,
    connections: Number(connections),
    duration: Number(seconds),
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        setupRequest: (request) => {
          calls += 1;
          return { ...request, body: body.replace("[n]", String(calls)) };
        },
      },
    ],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    console.log(JSON.stringify(result));
  },
);
