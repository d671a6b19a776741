// Loads a form post with autocannon, giving every call its own body.
// Reads {url, bodies, first, connections, seconds} as JSON on stdin; the
// calls take the bodies in turn, with the text "[n]" in each replaced by
// the call's number, counted from `first`, so the API's guard against
// repeated posts never folds two calls into one. Prints autocannon's JSON.
const fs = require("fs");
const autocannon = require("autocannon");

const { url, bodies, first, connections, seconds } = JSON.parse(fs.readFileSync(0, "utf8"));
let calls = 0;

autocannon(
  {
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        setupRequest: (request) => {
          const body = bodies[calls % bodies.length].replace("[n]", String(first + calls));
          calls += 1;
          return { ...request, body };
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
