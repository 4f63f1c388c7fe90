import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import {
  ROOMS_PAGE_SIZE,
  type UserDetail as UserDetailView,
  useDeleteUser,
  useMuteRoom,
  useRevokeTokens,
  useRoomDirectory,
  useUser,
} from '../../api/chat';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';
import { Pager } from '../../components/Pager';
import { TableWrap } from '../../components/TableWrap';

const facts = (user: UserDetailView): Array<[string, string]> => [
  ['Nickname', user.nickname || '—'],
  ['Kind', user.isRobot ? 'robot' : (user.clientType ?? 'user')],
  ['Email', user.email ?? '—'],
  ['Last login', user.lastLoginTimeMS ? formatTime(user.lastLoginTimeMS) : 'never'],
  ['Created', user.createdAt ? formatTime(Date.parse(user.createdAt)) : '—'],
  ['Notifications', user.notificationEnabled === false ? 'off' : 'on'],
];

/**
 * One user: their profile, their rooms (with the notification mute of each) and the rooms they are
 * banned from, tokens and deletion.
 */
export function UserDetail({ appId, userId }: { appId: string; userId: string }) {
  const user = useUser(appId, userId);
  const [roomsPage, setRoomsPage] = useState(0);
  const rooms = useRoomDirectory(appId, { user: userId }, roomsPage);
  const mute = useMuteRoom(appId, userId);
  const revoke = useRevokeTokens(appId);
  const remove = useDeleteUser(appId);
  const [deleting, setDeleting] = useState(false);
  const [, navigate] = useLocation();
  const muted = new Set(user.data?.mute ?? []);
  const profile = user.data;
  return (
    <>
      <p>
        <Link href={`/apps/${appId}/users`}>All users</Link>
      </p>
      <h1>
        User <span className="mono">{userId}</span>
      </h1>
      <ErrorMessage error={user.error ?? rooms.error ?? mute.error ?? revoke.error ?? remove.error} />
      {profile && (
        <dl className="details card" aria-label="Profile">
          {facts(profile).map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {revoke.isSuccess && (
        <p className="success" role="status">
          Tokens revoked: this user must sign in again.
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => revoke.mutate(userId)} disabled={revoke.isPending}>
          Revoke all tokens
        </button>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete user
        </button>
      </div>
      <h2>Rooms</h2>
      <TableWrap label={`Rooms of ${userId}`}>
        <table>
          <thead>
            <tr>
              <th scope="col">Room</th>
              <th scope="col">Name</th>
              <th scope="col">Standing</th>
              <th scope="col">Notifications</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(rooms.data?.data ?? []).map((room) => {
              const isMuted = muted.has(room._id);
              return (
                <tr key={room._id}>
                  <th scope="row" className="mono">
                    <Link href={`/apps/${appId}/rooms?room=${encodeURIComponent(room._id)}`}>{room._id}</Link>
                  </th>
                  <td>{room.name || '—'}</td>
                  <td>
                    {room.isBanned ? (
                      <span className="badge revoked">banned</span>
                    ) : (
                      <span className="badge active">member</span>
                    )}
                  </td>
                  <td>{room.isMember ? (isMuted ? 'muted' : 'on') : '—'}</td>
                  <td>
                    {room.isMember && (
                      <button
                        type="button"
                        onClick={() => mute.mutate({ roomId: room._id, muted: !isMuted })}
                        disabled={mute.isPending}
                        aria-label={`${isMuted ? 'Unmute' : 'Mute'} ${room._id} for ${userId}`}
                      >
                        {isMuted ? 'Unmute' : 'Mute'}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
            {rooms.data && rooms.data.data.length === 0 && (
              <tr>
                <td colSpan={5}>In no room.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      <Pager
        page={roomsPage}
        pageSize={ROOMS_PAGE_SIZE}
        total={rooms.data?.totalCount ?? 0}
        loading={rooms.isFetching}
        onPage={setRoomsPage}
      />
      {deleting && (
        <ConfirmDialog
          title={`Delete ${userId}?`}
          confirm={`Delete ${userId}`}
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(userId, { onSuccess: () => navigate(`/apps/${appId}/users`) })}
          onClose={() => setDeleting(false)}
        >
          <p>The user is deleted with their tokens; this cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
