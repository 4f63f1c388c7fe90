import { op, ROOM_ERRORS, ROOM_WRITE_ERRORS, type OperationDoc } from './operation-doc.js';

/** The chat's operations (rooms, members, messages, moderation) and the SDKs' own, keyed by `METHOD /path`. */
export const CHAT_OPERATIONS: Record<string, OperationDoc> = {
  'POST /rooms': op('createRoom', undefined, ['ROOM_EXISTS', 'CLIENT_NOT_FOUND', 'INVALID_ROOM_TAGS'], {
    _id: 'team-lobby',
    name: 'Team lobby',
    roomType: 'group',
    roomTags: ['work'],
    members: ['alice', 'bob'],
  }),
  'GET /rooms': op(
    'listRooms',
    "The caller's rooms with their last message and unread count, most recently active first unless `sort` says " +
      'otherwise; `q` filters them on room fields, MongoDB-style.',
    ['INVALID_QUERY'],
  ),
  'POST /rooms/createAndJoin': op('createAndJoinRoom', undefined, ['CLIENT_NOT_FOUND', 'INVALID_ROOM_TAGS']),
  'GET /rooms/{id}': op('getRoom', 'The room with its members as user summaries, for its members (or the API key).', [
    ...ROOM_ERRORS,
  ]),
  'PUT /rooms/{id}': op(
    'updateRoom',
    'Changes the fields sent. Owners and managers change the room; freezing (`status`) is theirs or the platform ' +
      "admin's; members are told through a system message and a socket event.",
    [...ROOM_WRITE_ERRORS, 'FREEZE_NOT_PERMITTED', 'INVALID_ROOM_TAGS'],
  ),
  'DELETE /rooms/{id}': op('deleteRoom', 'Deletes the room, its members and every message; answers what was removed.', [
    ...ROOM_ERRORS,
    'NOT_PERMITTED',
  ]),
  'POST /rooms/{id}/members': op(
    'addRoomMembers',
    'Adds users (or invites them when the room requires invitations); each new member is announced by a system message.',
    [...ROOM_WRITE_ERRORS, 'CLIENT_NOT_FOUND'],
    { invitees: ['carol', 'dave'] },
  ),
  'POST /rooms/{id}/delete/members': op(
    'removeRoomMembers',
    'Removes the members listed; a member may always remove themselves (leave).',
    [...ROOM_WRITE_ERRORS],
  ),
  'PUT /rooms/{id}/member/{client}': op(
    'updateRoomMember',
    "Sets a member's custom properties, or their role (manager or not) when the caller owns or manages the room.",
    [...ROOM_WRITE_ERRORS, 'CLIENT_NOT_FOUND'],
  ),
  'POST /rooms/{id}/join': op('joinRoom', 'Joins a room that is open to anyone, or one the caller is invited to.', [
    'ROOM_NOT_FOUND',
    'NOT_PERMITTED',
    'ROOM_FROZEN',
  ]),
  'POST /me/mute/{room}': op(
    'muteRoom',
    'Push notifications of this room stop for the caller; messages still arrive.',
    [...ROOM_ERRORS],
  ),
  'DELETE /me/mute/{room}': op('unmuteRoom', 'Push notifications of this room resume for the caller.', [
    ...ROOM_ERRORS,
    'ROOM_NOT_MUTED',
  ]),

  'GET /rooms/invitations': op('listMyInvitations', 'Rooms the caller is invited to and has not yet joined.'),
  'GET /rooms/{id}/invitations': op('listRoomInvitations', 'Invitations of the room not yet accepted or declined.', [
    ...ROOM_ERRORS,
  ]),
  'DELETE /rooms/{id}/invitations': op('declineInvitation', 'The caller declines their invitation to the room.', [
    'ROOM_NOT_FOUND',
    'NOT_FOUND',
  ]),
  'POST /rooms/{id}/delete/invitations': op(
    'cancelInvitations',
    'Owners and managers withdraw invitations to the room.',
    [...ROOM_ERRORS, 'NOT_PERMITTED'],
  ),
  'DELETE /rooms/{id}/invitations/{invitee}': op(
    'cancelInvitation',
    'Withdraws one invitation; prefer `POST /rooms/{id}/delete/invitations`.',
    [...ROOM_ERRORS, 'NOT_PERMITTED'],
  ),

  'POST /messages': op(
    'sendMessageAsUser',
    'The platform sends a message in a room as the `sender` it names (a member, or the system user).',
    ['ROOM_NOT_FOUND', 'CLIENT_NOT_FOUND', 'NOT_ROOM_MEMBER', 'MESSAGE_EXISTS', 'USER_BLOCKED'],
    { room: 'team-lobby', sender: 'alice', message: 'Hello, team!', messageType: 'text' },
  ),
  'POST /messages/batch': op('sendBatchMessage', undefined, [], {
    sender: 'system',
    message: 'Hello, {{name}}!',
    messageType: 'text',
    paras: [{ receiver: 'alice' }, { room: 'team-lobby' }],
  }),
  'GET /messages/batch': op('listBatchMessages', 'The messages a batch sent so far, in send order, with their count.', [
    'BATCH_NOT_FOUND',
    'INVALID_REQUEST',
  ]),
  'GET /messages/batch/{id}': op(
    'getBatchProgress',
    'How many entries of a batch are sent, failed or pending, with the reason of each failure.',
    ['BATCH_NOT_FOUND'],
  ),
  'POST /rooms/{id}/message': op(
    'sendMessage',
    undefined,
    [...ROOM_WRITE_ERRORS, 'USER_BLOCKED', 'MESSAGE_EXISTS', 'MESSAGE_NOT_FOUND'],
    { message: 'Hello, team!', messageType: 'text', mentions: ['bob'] },
  ),
  'GET /rooms/{id}/messages/v3': op(
    'listRoomMessages',
    'Pages through the history with `beforeMessage`/`afterMessage` cursors or a time range; `sortOrder` turns the ' +
      "order around. Members who joined after the room's history started see it as `historyVisibility` allows.",
    [...ROOM_ERRORS],
  ),
  'GET /rooms/{id}/messages': op(
    'listRoomMessagesSdk',
    'Same query and answer as `GET /rooms/{id}/messages/v3`, at the path the SDKs call.',
    [...ROOM_ERRORS],
  ),
  'DELETE /rooms/{id}/messages/{messageId}': op(
    'deleteMessage',
    'Deletes one message for everyone, or every message of the room with `_all`. Owners, managers and the platform ' +
      'admin may delete any message.',
    [...ROOM_ERRORS, 'MESSAGE_NOT_FOUND', 'INSUFFICIENT_PERMISSION'],
  ),
  'GET /rooms/{id}/messages/{messageId}': op(
    'getMessageContext',
    'One message with the messages around it, to open a conversation at a search hit.',
    [...ROOM_ERRORS, 'MESSAGE_NOT_FOUND'],
  ),
  'POST /badges': op(
    'getBadgesOfTokens',
    "Each user's total unread count, by the users' tokens in the body, and their sum; tokens that are not valid " +
      'tokens of the application are left out.',
    ['INVALID_REQUEST'],
    { tokens: ['TOKEN-1', 'TOKEN-2'] },
  ),
  'POST /badges/byRoomTagsAndTime': op(
    'countUnreadByRoomTagsBeforeTime',
    "The caller's unread counts per room tag, counting only unread messages sent before `beforeTime`.",
    ['INVALID_TAGS', 'INVALID_REQUEST'],
    { tags: ['demo', 'sample'], beforeTime: '2023-11-18T02:00:00Z' },
  ),
  'GET /rooms/{id}/pined-messages': op(
    'listPinnedMessages',
    "The room's pinned messages, the latest pin first, for those who may read the room.",
    [...ROOM_ERRORS],
  ),
  'GET /messages/recent': op(
    'listRecentMessages',
    'The newest messages of every room the caller belongs to, newest first, up to 100; nothing from before a late ' +
      "joiner's join, nor what the caller deleted for themselves.",
  ),
  'GET /admin/messages': op(
    'listMessagesByDate',
    "Every room's messages created between `startDate` and `endDate`, newest first, in pages of up to 1000.",
    ['INVALID_REQUEST'],
  ),
  'POST /messages/{id}/pin': op('pinMessage', "Pins the message as its room's pinned message, announced to members.", [
    ...ROOM_ERRORS,
    'MESSAGE_NOT_FOUND',
    'NOT_PERMITTED',
  ]),
  'DELETE /messages/{id}/pin': op('unpinMessage', "Clears the room's pinned message.", [
    ...ROOM_ERRORS,
    'MESSAGE_NOT_FOUND',
    'NOT_PERMITTED',
  ]),
  'POST /messages/{id}/reaction': op(
    'addMessageReaction',
    "Adds the caller's reaction (any key) to a message of a room they are a member of; answers the updated " +
      'message, also pushed to the members as `chat message`. Adding it again changes nothing.',
    [...ROOM_ERRORS, 'MESSAGE_NOT_FOUND', 'USER_BLOCKED', 'ROOM_FROZEN'],
    { reaction: 'like' },
  ),
  'DELETE /messages/{id}/reaction': op(
    'removeMessageReaction',
    "Revokes the caller's reaction named by `reaction`; answers the updated message (unchanged when the caller " +
      'did not hold it).',
    [...ROOM_ERRORS, 'MESSAGE_NOT_FOUND', 'USER_BLOCKED', 'ROOM_FROZEN'],
  ),
  'POST /messages/user-delete': op(
    'deleteMessagesForMe',
    'Deletes messages of a room for the caller alone (a member): lists then mark them `isDeleted` and name them in ' +
      '`userDeletedIDs`, recent messages leave them out, and those the caller had not read no longer count as unread ' +
      "for them; ids of other rooms are ignored. The caller's connections receive `userDeleteMessages`.",
    [...ROOM_ERRORS],
    { room: 'demo-room', messages: ['6464fc7f24214a185a902676'] },
  ),
  'POST /messages/user-delete/all-in-room': op(
    'deleteRoomMessagesForMe',
    'Deletes every message of the room for the caller alone, as `POST /messages/user-delete` does for some.',
    [...ROOM_ERRORS],
    { room: 'demo-room' },
  ),
  'GET /messages/user-delete': op(
    'listMessagesDeletedForMe',
    'The messages of a room the caller deleted for themselves, with when; kept after leaving the room.',
  ),
  'POST /messages/{id}/hidden': op(
    'hideMessage',
    "Hides a message for everyone (the room's owner, managers or the platform admin): lists keep it, flagged " +
      '`isHidden`; the updated message is pushed to the members as `chat message`.',
    [...ROOM_ERRORS, 'MESSAGE_NOT_FOUND', 'NOT_PERMITTED', 'ROOM_FROZEN'],
  ),
  'DELETE /messages/{id}/hidden': op(
    'unhideMessage',
    'Shows a hidden message again (same rule as hiding); pushed to the members as `chat message`.',
    [...ROOM_ERRORS, 'MESSAGE_NOT_FOUND', 'NOT_PERMITTED', 'ROOM_FROZEN'],
  ),
  'POST /messages/hide-by-sender-in-room': op(
    'hideMessagesOfSender',
    "Hides every message of `sender` in `room` (the room's owner, managers or the platform admin); answers the ids " +
      'that changed.',
    [...ROOM_ERRORS, 'NOT_PERMITTED', 'ROOM_FROZEN'],
    { room: 'demo-room', sender: 'spammer' },
  ),
  'POST /messages/unhide-by-sender-in-room': op(
    'unhideMessagesOfSender',
    'Shows every hidden message of `sender` in `room` again; answers the ids that changed.',
    [...ROOM_ERRORS, 'NOT_PERMITTED', 'ROOM_FROZEN'],
    { room: 'demo-room', sender: 'spammer' },
  ),
  'PUT /rooms/{id}/lastRead': op(
    'setLastRead',
    "Marks messages up to the one given as read; the caller's unread counts and other devices follow.",
    [...ROOM_ERRORS, 'MESSAGE_NOT_FOUND'],
  ),
  'POST /search': op('searchMessages', undefined, ['INVALID_SEARCH_TYPE']),
  'POST /messages/search': op(
    'searchMessagesSdk',
    'Text search over the messages of the rooms the caller belongs to, in the form the SDK sends.',
  ),
  'GET /messages': op(
    'searchMessagesByQuery',
    'Text search over the messages of the caller’s rooms, optionally in one room, as the SDK sends it in `q`.',
  ),
  'POST /badges/byRoomTags': op(
    'getUnreadByRoomTags',
    'Unread messages of the caller summed per room tag, for the tags asked.',
    ['INVALID_TAGS'],
  ),
  'GET /me/badge': op('getMyBadge', undefined, ['INVALID_ROOM_TAGS']),
  'GET /rooms/ids': op('listMyRoomIds', 'Only the ids of the caller’s rooms, paged: a cheap way to sync a room list.'),
  'GET /rooms/{id}/count': op('countRoomMessages', 'How many messages the room holds, or has received since a time.', [
    ...ROOM_ERRORS,
  ]),
  'GET /rooms/quitted': op(
    'listQuittedRooms',
    'Rooms the caller left or was removed from, most recent first: a few room fields and the preference they had, with `quittedAt`; joining again removes the room from this list.',
  ),
  'GET /rooms/{id}/exists': op(
    'roomExists',
    'Whether a room of this id exists in the caller’s application; answers `exists: false` rather than 404.',
  ),
  'POST /rooms/{id}/members/{client}': op(
    'addRoomMember',
    'Adds one member, as `POST /rooms/{id}/members` does, with its `systemMessage` and `invitationRequired` options.',
    [...ROOM_WRITE_ERRORS, 'CLIENT_NOT_FOUND'],
  ),
  'DELETE /rooms/{id}/members/{client}': op(
    'removeRoomMember',
    'Removes one member, as `POST /rooms/{id}/delete/members` does; the caller may remove themselves.',
    [...ROOM_WRITE_ERRORS],
  ),
  'POST /rooms/{id}/typing': op('sendTyping', 'Other members receive a `typing` socket event; nothing is stored.', [
    ...ROOM_ERRORS,
    'USER_BLOCKED',
    'ROOM_FROZEN',
  ]),
  'PUT /rooms/{id}/bot': op('updateRoomBot', "Sets the room's bot mode and state, which webhooks receive.", [
    ...ROOM_WRITE_ERRORS,
  ]),

  'POST /blockStatus/room/{roomID}/{blockee}': op(
    'banRoomMember',
    'The user keeps reading the room but can no longer send messages there.',
    ['ROOM_OR_USER_NOT_FOUND', 'MODERATION_NOT_PERMITTED', 'USER_ALREADY_BLOCKED', 'SELF_BLOCK_FORBIDDEN'],
  ),
  'DELETE /blockStatus/room/{roomID}/{blockee}': op('unbanRoomMember', 'The user may write in the room again.', [
    'ROOM_OR_USER_NOT_FOUND',
    'MODERATION_NOT_PERMITTED',
    'BLOCK_NOT_FOUND',
  ]),
  'GET /blockStatus/room/{roomID}': op('listRoomBans', 'Users banned from writing in the room.', [
    'ROOM_NOT_FOUND',
    'MODERATION_NOT_PERMITTED',
  ]),
  'POST /blockStatus/my/{blockee}': op(
    'blockUser',
    'Neither user can write in their direct room until the block is lifted.',
    ['USER_NOT_FOUND', 'INVALID_USER_ID', 'USER_ALREADY_BLOCKED', 'SELF_BLOCK_FORBIDDEN'],
  ),
  'DELETE /blockStatus/my/{blockee}': op('unblockUser', 'Reopens the direct room both ways.', [
    'USER_NOT_FOUND',
    'BLOCK_NOT_FOUND',
  ]),
  'GET /blockStatus/my': op('listBlockedUsers', 'The users the caller blocks.'),
  'POST /admin/clients/{uid}/mute/{room}': op(
    'muteRoomForUser',
    'Stops push notifications of the room for that user, as if they had muted it.',
    ['MUTE_CLIENT_NOT_FOUND', 'ROOM_NOT_FOUND', 'NOT_ROOM_MEMBER'],
  ),
  'DELETE /admin/clients/{uid}/mute/{room}': op(
    'unmuteRoomForUser',
    'Resumes push notifications of the room for that user.',
    ['MUTE_CLIENT_NOT_FOUND', 'ROOM_NOT_FOUND', 'ROOM_NOT_MUTED'],
  ),

  'GET /me/pref': op(
    'listMyPreferences',
    "The caller's preferences, each a key with a JSON value; with `key`, only that one (404 when absent).",
    ['NOT_FOUND'],
  ),
  'GET /me/prefs': op('getMyPreferenceMap', "The caller's preferences as one object: each key names its JSON value."),
  'POST /me/pref/{key}': op(
    'setMyPreference',
    'Stores the body as the value of the key, replacing any previous value.',
  ),
  'DELETE /me/pref/{key}': op(
    'deleteMyPreference',
    'Removes the key from the caller’s preferences; a key they do not have is no error (nothing is pushed then).',
  ),
  'POST /roomPrefs/{room}': op(
    'setRoomPreferences',
    "Merges the fields sent into the caller's preferences for the room; they come back as the room's `pref`.",
    [...ROOM_ERRORS],
    { tags: ['work', 'vip'], tagColors: { work: '#ffccff' }, folder: 'Projects', sticky: true },
  ),
  'GET /roomPrefs': op(
    'listRoomPreferences',
    "The caller's preference in each of their rooms that has one, as `{room, ...pref}`: their user groups' " +
      'preferences for the room with their own fields over them.',
  ),
  'DELETE /roomPrefs/{room}/{key}': op(
    'unsetRoomPreference',
    "Removes one field from the caller's preferences for the room and answers the rest (`tags` comes back " +
      'empty); a field not set is no error.',
    [...ROOM_ERRORS],
  ),
  'POST /roomPrefs/{room}/group/{group}': op(
    'setGroupRoomPreferences',
    "Merges the fields sent into a user group's preferences for a room the group is a member of. Its members " +
      "see them under their own and are told by a `roomPref` event. For the group's members and the API key.",
    [...ROOM_ERRORS, 'NOT_PERMITTED', 'GROUP_NOT_FOUND'],
    { tags: ['support'], tagColors: { support: '#ccffdd' } },
  ),
  'GET /roomPrefs/group/{group}': op(
    'listGroupRoomPreferences',
    "A user group's own preferences, room by room. For the group's members and the API key.",
    ['NOT_PERMITTED', 'GROUP_NOT_FOUND'],
  ),
  'DELETE /roomPrefs/{room}/group/{group}/{key}': op(
    'unsetGroupRoomPreference',
    "Removes one field from a user group's preferences for a room and answers the rest (`tags` comes back empty).",
    [...ROOM_ERRORS, 'NOT_PERMITTED', 'GROUP_NOT_FOUND'],
  ),

  'POST /files/{bucket}': op(
    'uploadFile',
    'Stores the uploaded file in the bucket and answers its id and URL, to send in a message.',
    ['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  ),
  'POST /files/stats': op(
    'getFileStatsByRoomTag',
    'How many files, and how many bytes, were uploaded into rooms carrying each tag, within an upload-time range.',
    ['INVALID_REQUEST'],
    { tags: ['demo', 'sample'], rangeStart: '2023-04-01T00:00:00.000Z', rangeEnd: '2023-12-31T00:00:00.000Z' },
  ),
  'POST /files/video-info': op('uploadVideoInfo', undefined, ['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']),
  'GET /files/{bucket}/{id}/metadata': op(
    'getFileMetadata',
    'Name, type, size and upload time of a file the caller may read.',
    ['NOT_FOUND'],
  ),
  'GET /files/{bucket}/{id}': op(
    'downloadFile',
    'The file itself to users who may read it (its uploader, members of rooms where it was sent, anyone for public ' +
      'buckets), or a signed URL with `signedUrlOnly=1`.',
    ['NOT_FOUND'],
  ),
  'GET /files/{bucket}/{id}/signed': op(
    'downloadSignedFile',
    'Needs no header: the URL carries its own expiring signature (from `GET /files/{bucket}/{id}?signedUrlOnly=1`).',
    ['NOT_FOUND', 'FORBIDDEN'],
  ),
  'POST /me/subscribe': op(
    'subscribeDevice',
    'Registers the device token of an app installation so that push notifications reach it.',
    ['CLIENT_NOT_FOUND'],
  ),
  'POST /me/unsubscribe': op('unsubscribeDevice', 'The device receives no more push notifications for the caller.'),

  // Stickers (history 10).
  'GET /stickers': op(
    'listStickerSets',
    "The application's sticker sets: id, name, order, the archive's and every image's resourceId.",
  ),
  'GET /stickers/res': op(
    'getStickerResource',
    'The bytes of one file of a set, by `resourceId` = `<setId>/<fileName>`: a PNG, JPEG, GIF or WebP image ' +
      "(checked on its bytes), or the set's zip as a download; with an ETag.",
    ['NOT_FOUND'],
  ),
};
