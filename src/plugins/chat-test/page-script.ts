/**
 * The page's script, served as a same-origin file. It talks to this server only: REST with the
 * client key and token headers (history 1.1), and Socket.IO with `auth2` (realtime protocol 4)
 * through the client bundle that socket.io itself serves at /socket.io/socket.io.js.
 * Text from the network is only ever set as textContent, never as markup.
 */
export const CHAT_TEST_SCRIPT = `'use strict';
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var socket = null;
  var headers = null;
  var log = function (text, isError) {
    var item = document.createElement('li');
    item.textContent = text;
    if (isError) item.className = 'error';
    byId('log').appendChild(item);
  };
  var setStatus = function (text) { byId('status').textContent = text; };
  var rest = function (method, path) {
    return fetch(path, { method: method, headers: headers }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || body.RM || response.statusText);
        return body;
      });
    });
  };
  var showRooms = function () {
    return rest('GET', '/rooms').then(function (body) {
      var list = byId('rooms');
      list.textContent = '';
      ((body.result && body.result.data) || []).forEach(function (room) {
        var item = document.createElement('li');
        item.textContent = room._id + (room.name ? ' — ' + room.name : '');
        list.appendChild(item);
      });
    });
  };
  byId('connect-form').addEventListener('submit', function (event) {
    event.preventDefault();
    if (socket) socket.close();
    var clientKey = byId('client-key').value.trim();
    var token = byId('token').value.trim();
    headers = { 'IM-CLIENT-KEY': clientKey, 'IM-Authorization': token, 'Content-Type': 'application/json' };
    setStatus('connecting');
    socket = io({ reconnection: false });
    socket.on('connect', function () {
      socket.emit('auth2', token, { CLIENT_KEY: clientKey }, function (ack) {
        if (!ack || ack.RC !== 0) {
          setStatus('authentication failed');
          log('auth: ' + JSON.stringify(ack), true);
          return;
        }
        setStatus('connected as ' + ack.result.client);
        byId('join').disabled = false;
        showRooms().catch(function (error) { log('rooms: ' + error.message, true); });
      });
    });
    socket.on('connect_error', function (error) { setStatus('connection failed'); log(String(error.message), true); });
    socket.on('disconnect', function (reason) { setStatus('disconnected (' + reason + ')'); });
    socket.on('chat message', function (message) {
      var sender = message.sender && (message.sender.nickname || message.sender._id);
      log('[' + message.room + '] ' + (sender || '?') + ': ' + (message.message === undefined ? '' : message.message));
    });
  });
  byId('room-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var room = byId('room').value.trim();
    rest('POST', '/rooms/' + encodeURIComponent(room) + '/join').then(function () {
      log('joined ' + room);
      byId('send').disabled = false;
      return showRooms();
    }).catch(function (error) { log('join: ' + error.message, true); });
  });
  byId('message-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = byId('message');
    socket.emit('chat message', { message: input.value, messageType: 'text', room: byId('room').value.trim() }, function (ack) {
      if (!ack || ack.RC !== 0) log('send: ' + JSON.stringify(ack), true);
    });
    input.value = '';
  });
})();
`;
