/** The page's markup: no inline script or style (its CSP allows only its own files). */
export const CHAT_TEST_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley chat test</title>
<link rel="stylesheet" href="/chat-test/style.css">
</head>
<body>
<h1>Parley chat test</h1>
<p>A debugging aid: paste a client key and a user token, connect, join a room and send messages.</p>
<form id="connect-form">
  <label>Client key <input id="client-key" autocomplete="off" required></label>
  <label>Token <input id="token" autocomplete="off" required></label>
  <button id="connect" type="submit">Connect</button>
  <span id="status">disconnected</span>
</form>
<form id="room-form">
  <label>Room <input id="room" autocomplete="off" required></label>
  <button id="join" type="submit" disabled>Join</button>
</form>
<form id="message-form">
  <label>Message <input id="message" autocomplete="off" required></label>
  <button id="send" type="submit" disabled>Send</button>
</form>
<ul id="rooms"></ul>
<ol id="log"></ol>
<script src="/socket.io/socket.io.js"></script>
<script src="/chat-test/app.js"></script>
</body>
</html>
`;

export const CHAT_TEST_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; max-width: 48rem; }
form { display: flex; gap: .5rem; align-items: center; margin: .5rem 0; flex-wrap: wrap; }
input { min-width: 14rem; }
#status { color: #555; }
#log { font-family: ui-monospace, monospace; white-space: pre-wrap; }
.error { color: #b00020; }
`;
