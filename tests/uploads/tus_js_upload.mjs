// Upload a file with tus-js-client (the tus client inside Uppy) under Node.js: a first client sends
// one chunk with the creation request and stops, as a closed browser tab would; a second client,
// knowing only the upload URL, resumes it. Prints the requests each client sent, as JSON.
//
// node tus_js_upload.mjs <endpoint> <API token> <file> <relativePath> <chunk size>
import { readFileSync } from "node:fs";
import { basename } from "node:path";

import tus from "tus-js-client";

const [endpoint, token, file, relativePath, chunkSize] = process.argv.slice(2);
const data = readFileSync(file);
const sent = { first: [], second: [] };

function options(client) {
  return {
    endpoint,
    chunkSize: Number(chunkSize),
    headers: { Authorization: `Token ${token}` },
    metadata: { filename: basename(file), relativePath },
    retryDelays: null, // a refusal must fail the test, not be retried away
    onBeforeRequest: (request) => {
      const offset = request.getHeader("Upload-Offset");
      sent[client].push(offset === undefined ? request.getMethod() : `${request.getMethod()} ${offset}`);
    },
  };
}

const first = await new Promise((resolve, reject) => {
  const upload = new tus.Upload(data, {
    ...options("first"),
    uploadDataDuringCreation: true, // creation-with-upload: the first chunk goes with the POST
    onChunkComplete: (_size, accepted) => upload.abort().then(() => resolve({ url: upload.url, accepted }), reject),
    onSuccess: () => reject(new Error("the first client was to stop after one chunk")),
    onError: reject,
  });
  upload.start();
});

await new Promise((resolve, reject) => {
  const upload = new tus.Upload(data, { ...options("second"), uploadUrl: first.url, onSuccess: resolve, onError: reject });
  upload.start();
});

console.log(JSON.stringify({ url: first.url, stoppedAt: first.accepted, sent }));
