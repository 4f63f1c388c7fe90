import { op, type OperationDoc } from './operation-doc.js';

/** The platform's administration, monitoring and dashboard operations, keyed by `METHOD /fastify/url`. */
export const ADMIN_OPERATIONS: Record<string, OperationDoc> = {
  'GET /metrics': op(
    'getMetrics',
    'Prometheus text exposition of request, database, socket and queue metrics. When `METRICS_TOKEN` is set ' +
      'the scraper sends `Authorization: Bearer <token>`; otherwise restrict the route at the proxy.',
    ['FORBIDDEN'],
  ),
  'GET /healthz': op('getLiveness', 'Answers as long as the process serves HTTP; it checks no dependency.'),
  'GET /readyz': op(
    'getReadiness',
    'Checks the database (and Redis when configured); 503 with the failing check while any is down. ' +
      'Load balancers and container health checks use it.',
  ),

  'GET /admin/keys': op(
    'listApiKeys',
    'Every API key of the application, live, rolled, expired or revoked; never a secret.',
  ),
  'POST /admin/keys': op(
    'createApiKey',
    'A new key with its scopes, optional expiry, IP allow-list and per-minute rate limit. The plain key is in ' +
      'this answer only: store it, Parley keeps a hash.',
    [],
    {
      name: 'Backend',
      scopes: ['users:*', 'rooms:*', 'messages:write'],
      allowedIps: ['10.0.0.0/8'],
      rateLimitPerMinute: 600,
    },
  ),
  'GET /admin/keys/client-key': op('getClientKey', 'The client key SDKs send as `IM-CLIENT-KEY`; it is no secret.'),
  'POST /admin/keys/client-key': op(
    'regenerateClientKey',
    'A new client key; apps still sending the old one are refused from this moment.',
  ),
  'GET /admin/keys/{id}': op('getApiKey', 'One key by id, with its status and last use.', ['KEY_NOT_FOUND']),
  'PATCH /admin/keys/{id}': op(
    'updateApiKey',
    'Changes only the fields sent; `PUT` is accepted as an alias. A revoked or expired key cannot change.',
    ['KEY_NOT_FOUND', 'KEY_REVOKED', 'KEY_EXPIRED', 'KEY_ROLLED', 'FORBIDDEN'],
  ),
  'DELETE /admin/keys/{id}': op(
    'revokeApiKey',
    'Revokes the key on every node at once; its requests answer 401 from then on. Kept in the list for the audit trail.',
    ['KEY_NOT_FOUND', 'FORBIDDEN'],
  ),
  'POST /admin/keys/{id}/roll': op(
    'rollApiKey',
    'Creates a successor with the same settings and returns its plain key once; the old key keeps working for ' +
      'the grace period, then expires.',
    ['KEY_NOT_FOUND', 'KEY_REVOKED', 'KEY_EXPIRED', 'KEY_ROLLED'],
  ),
  'GET /admin/keys/{id}/usage': op('getApiKeyUsage', 'Requests per minute of the key over a recent window.', [
    'KEY_NOT_FOUND',
  ]),

  'POST /admin/clients': op('upsertUser', undefined, ['TOKEN_CONFLICT'], {
    _id: 'alice',
    nickname: 'Alice',
    avatarUrl: 'https://cdn.example.org/avatars/alice.png',
    issueAccessToken: true,
  }),
  'POST /admin/clients/list': op(
    'upsertUsers',
    'Creates or updates up to 1000 users in one transaction: either all are written or none.',
  ),
  'GET /admin/clients': op(
    'listUsers',
    'Users of the application, filtered by `q` (a MongoDB-style JSON filter) and paged with `skip` and `limit`.',
    ['INVALID_QUERY', 'RESULT_TOO_LARGE'],
  ),
  'GET /admin/clients/{id}': op('getUser', 'One user with every field, custom fields included.', ['CLIENT_NOT_FOUND']),
  'DELETE /admin/clients/{id}': op(
    'deleteUser',
    'Deletes the user and revokes every token of theirs; their messages stay in their rooms.',
    ['CLIENT_NOT_FOUND'],
  ),
  'POST /me': op(
    'updateMyProfile',
    "Changes the calling user's own profile; other top-level fields are stored as custom fields.",
  ),
  'GET /me': op('getMe', 'The user the token belongs to.', ['CLIENT_NOT_FOUND']),
  'POST /me/logout': op(
    'logOut',
    'Revokes the token of the request and closes its sockets; with `IM-Device-ID`, also removes the push ' +
      'registrations of that device. Needs a user token.',
    ['INVALID_REQUEST'],
  ),
  'POST /me/logout-others': op(
    'logOutOtherSessions',
    "Revokes the caller's other tokens and closes their sockets; with `IM-Device-ID`, also removes the push " +
      'registrations of every other device. Needs a user token.',
    ['INVALID_REQUEST'],
  ),
  'POST /me/notification/enable': op(
    'enableMyNotifications',
    "Sets the caller's `notificationEnabled`: new messages are pushed to their devices again.",
    ['CLIENT_NOT_FOUND'],
  ),
  'POST /me/notification/disable': op(
    'disableMyNotifications',
    'Clears the caller’s `notificationEnabled`: no automatic message pushes reach their devices; ' +
      '`POST /push/push2clients` still does.',
    ['CLIENT_NOT_FOUND'],
  ),
  'PUT /admin/clients/{client_id}/token': op(
    'bindUserToken',
    'Binds a token of your own (e.g. from your identity provider) to the user, with an optional expiry.',
    ['CLIENT_NOT_FOUND', 'TOKEN_CONFLICT', 'MISSING_PARAMETER'],
  ),
  'DELETE /admin/clients/{client_id}/token': op(
    'revokeUserTokens',
    'Revokes the token named in the body, or every token of the user when the body is empty. Open sockets of the revoked tokens are closed.',
    ['CLIENT_NOT_FOUND', 'TOKEN_NOT_FOUND'],
  ),
  'POST /admin/groups': op(
    'createGroup',
    'A named set of users that rooms and messages can address as one member (a group pseudo-user).',
    ['GROUP_ALREADY_EXISTS', 'CLIENT_NOT_FOUND'],
  ),
  'GET /admin/groups': op('listGroups', 'Every user group of the application.'),
  'GET /admin/groups/{id}': op('getGroup', 'One user group with its members.', ['GROUP_NOT_FOUND']),
  'PUT /admin/groups/{id}': op('updateGroup', 'Renames the group or replaces its members.', [
    'GROUP_NOT_FOUND',
    'CLIENT_NOT_FOUND',
  ]),
  'DELETE /admin/groups/{id}': op('deleteGroup', 'Deletes the group; its members are not affected.', [
    'GROUP_NOT_FOUND',
  ]),
  'POST /auths/sign': op('signInSandbox', undefined, ['FORBIDDEN']),
  'POST /auths/sign/v2': op('signInSandboxV2', undefined, ['FORBIDDEN']),

  'GET /admin/audit': op('listAuditEntries'),
  'GET /admin/app': op('getApp', "The application's id, name and settings."),
  'PATCH /admin/app': op('updateApp'),
  'GET /admin/connection-count': op('getConnectionCount'),
  'GET /admin/stats': op('getStats'),

  'GET /config': op('getConfig', 'Every runtime configuration key with its value, as clients read it.'),
  'POST /config': op('setConfig', undefined, ['INVALID_BODY', 'INVALID_CONFIG_FORMAT']),
  'DELETE /config/{key}': op('deleteConfigKey', 'Removes one key; clients read it as absent from then on.', [
    'CONFIG_NOT_FOUND',
  ]),

  'GET /admin/webhooks': op(
    'getWebhookSettings',
    'The app-wide webhook URL, the base URL of room webhook keys, and delivery counts by status.',
  ),
  'PUT /admin/webhooks': op(
    'updateWebhookSettings',
    'Each URL must be http(s) and, unless PARLEY_WEBHOOK_ALLOW_PRIVATE is set, resolve to a public address.',
  ),
  'POST /admin/webhooks/secret': op('rotateWebhookSecret'),
  'GET /admin/webhooks/secret': op(
    'getWebhookSecret',
    'The secret deliveries are signed with, to configure a receiver that checks signatures.',
  ),
  'GET /admin/webhooks/deliveries': op(
    'listWebhookDeliveries',
    'Deliveries with their status, attempts and last answer, newest first, paged.',
  ),
  'GET /admin/webhooks/deliveries/{id}': op('getWebhookDelivery', 'One delivery with its payload and attempts.', [
    'NOT_FOUND',
  ]),
  'POST /admin/webhooks/deliveries/{id}/redeliver': op(
    'redeliverWebhook',
    'Queues the delivery again, whatever its status, with a fresh budget of attempts.',
    ['NOT_FOUND'],
  ),
  'POST /push/push2clients': op('pushToUsers', undefined, ['MISSING_PARAMETER'], {
    clients: ['alice', 'bob'],
    payload: { title: 'Maintenance tonight', body: 'Chat is read-only from 22:00 to 22:30 UTC.' },
  }),
  'POST /push/push2tokens': op(
    'pushToTokens',
    'Straight to device tokens of one type, registered here or not; recorded and sent in the background.',
    ['MISSING_PARAMETER', 'INVALID_REQUEST'],
    { type: 'fcm', tokens: ['dGVzdC10b2tlbg'], payload: { title: 'Maintenance tonight', body: 'Back at 22:30 UTC.' } },
  ),
  'GET /admin/push/notifications': op(
    'listPushNotifications',
    'Push notifications recorded by this server with their recipients, newest first, each with its deliveries: ' +
      'per device (or external service request) the provider, its answer and the attempts.',
  ),
  'GET /admin/push/providers': op(
    'getPushProviders',
    'Which of FCM, APNs and Web Push the application has credentials for (their ids and public parts only), ' +
      'and the push settings.',
  ),
  'PUT /admin/push/providers/fcm': op(
    'setFcmCredentials',
    'A Firebase service-account key: Android and FCM devices (and IMKIT web SDK tokens) are reached through FCM ' +
      'HTTP v1. Stored sealed with SECRETS_KEY when set; never shown again.',
    ['INVALID_REQUEST'],
  ),
  'PUT /admin/push/providers/apns': op(
    'setApnsCredentials',
    'A .p8 token-auth key with its key id, team id and bundle id: iOS devices get alerts, `ios-voip` devices ' +
      'VoIP pushes. `production: false` uses the sandbox host (development builds).',
    ['INVALID_REQUEST'],
  ),
  'PUT /admin/push/providers/webpush': op(
    'setWebPushCredentials',
    'VAPID keys for standard Web Push (`web` devices registered with a PushSubscription as JSON); ' +
      '`generate: true` makes a new pair. The answer shows the public key.',
    ['INVALID_REQUEST'],
    { subject: 'mailto:ops@example.com', generate: true },
  ),
  'DELETE /admin/push/providers/{provider}': op(
    'removePushCredentials',
    "Forgets a platform's credentials; its devices then go to the server-wide provider (PUSH_PROVIDER).",
    ['NOT_FOUND'],
  ),
  'PUT /admin/push/settings': op(
    'setPushSettings',
    'A constant badge instead of the unread count, notification sounds per platform, and the URLs of IMKIT ' +
      'external push services (v1 one request per receiver, v2 one per message), signed like webhooks.',
    ['INVALID_REQUEST'],
    { constantBadge: null, soundIos: 'chime.caf', genericPushUrl: 'https://push.example.com/imkit' },
  ),
  'GET /push/webpush/key': op(
    'getWebPushKey',
    'The VAPID public key a browser passes as `applicationServerKey` when it subscribes.',
    ['NOT_FOUND'],
  ),

  'POST /dashboard/api/setup': op(
    'setUpOperator',
    'Redeems a one-time setup link (printed at first start, or by `parley operators`) to create an operator, and ' +
      'signs them in with a session cookie.',
    ['INVALID_TOKEN', 'OPERATOR_EXISTS'],
  ),
  'POST /dashboard/api/login': op(
    'signInOperator',
    'Checks the name and password and sets the session cookie; answers the CSRF token that state changes send back.',
    ['INVALID_CREDENTIALS', 'RATE_LIMIT_EXCEEDED'],
  ),
  'POST /dashboard/api/logout': op('signOutOperator', 'Ends the current session on every node and clears the cookie.'),
  'GET /dashboard/api/session': op('getOperatorSession', 'The operator and the session the cookie names.'),
  'GET /dashboard/api/sessions': op('listOperatorSessions', "The operator's live sessions, this one marked."),
  'DELETE /dashboard/api/sessions/{id}': op('endOperatorSession', 'Ends one session of the signed-in operator.', [
    'NOT_FOUND',
  ]),
  'POST /dashboard/api/password': op(
    'changeOperatorPassword',
    'Needs the current password; every other session of the operator ends.',
    ['INVALID_CREDENTIALS'],
  ),
  'GET /dashboard/api/apps': op('listApps', 'Every application on this server, for the dashboard.'),
  'POST /dashboard/api/apps': op(
    'createApp',
    'A new application with its client key and a first full-permission API key, shown in this answer only.',
  ),
  'PATCH /dashboard/api/apps/{id}': op('renameApp', 'Changes the name of an application.', ['NOT_FOUND']),

  // Stickers (history 10).
  'POST /admin/stickers': op(
    'saveStickerSet',
    'Multipart: `_id`, `name`, `order` and `file`, a zip of `tab.png` and images `01` … `99` (PNG, JPEG, GIF ' +
      'or WebP, at the top level or in one folder). The same `_id` again replaces the set. A zip with other ' +
      'files, paths leaving it, more than 120 entries, an image over 1 MiB or over 16 MiB in all is refused.',
    ['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  ),
  'GET /admin/stickers': op('listStickerSetsAdmin', 'Every sticker set with its storage objects, by id.'),
  'DELETE /admin/stickers/{id}': op(
    'deleteStickerSet',
    'Deletes the set and its files; `n` is the number of sets deleted (0 for an unknown id).',
  ),
};
