import { useState } from 'react';
import { useBan, useDeleteRoom, useFreezeRoom, useRoom, useRoomBans } from '../../api/chat';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';
import { TableWrap } from '../../components/TableWrap';
import { RoomMessages } from './RoomMessages';

export function RoomDetail({ appId, roomId, onDeleted }: { appId: string; roomId: string; onDeleted: () => void }) {
  const room = useRoom(appId, roomId);
  const bans = useRoomBans(appId, roomId);
  const freeze = useFreezeRoom(appId, roomId);
  const ban = useBan(appId, roomId);
  const remove = useDeleteRoom(appId, roomId);
  const [confirmDelete, setConfirmDelete] = useState(false);
  if (room.error) return <ErrorMessage error={room.error} />;
  if (!room.data) return <p>Loading room…</p>;
  const frozen = room.data.status === 0;
  const banned = new Set((bans.data ?? []).map((entry) => entry.blockee._id));
  const title = room.data.name || room.data._id;
  return (
    <section className="card" aria-labelledby="room-title">
      <div className="page-head">
        <h2 id="room-title">
          {title} <span className={`badge ${frozen ? 'revoked' : 'active'}`}>{frozen ? 'frozen' : 'active'}</span>
        </h2>
        <div className="actions">
          <button type="button" disabled={freeze.isPending} onClick={() => freeze.mutate(!frozen)}>
            {frozen ? 'Unfreeze room' : 'Freeze room'}
          </button>
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
            Delete room
          </button>
        </div>
      </div>
      <p className="hint">
        <span className="mono">{room.data._id}</span> · {room.data.roomType ?? 'group'} room
        {frozen && ' · frozen: members read, nobody but admins writes'}
      </p>
      <ErrorMessage error={freeze.error ?? ban.error ?? bans.error} />
      <h3>Members</h3>
      <TableWrap label={`Members of ${title}`}>
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Nickname</th>
              <th scope="col">Last login</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(room.data.members ?? []).map((member) => (
              <tr key={member._id}>
                <th scope="row" className="mono">
                  {member._id}
                </th>
                <td>{member.nickname || '—'}</td>
                <td>{member.lastLoginTimeMS ? formatTime(member.lastLoginTimeMS) : 'never'}</td>
                <td>
                  <button
                    type="button"
                    className={banned.has(member._id) ? undefined : 'danger'}
                    disabled={ban.isPending}
                    onClick={() => ban.mutate({ userId: member._id, banned: !banned.has(member._id) })}
                    aria-label={`${banned.has(member._id) ? 'Unban' : 'Ban'} ${member._id}`}
                  >
                    {banned.has(member._id) ? 'Unban' : 'Ban'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h3>Bans</h3>
      {(bans.data ?? []).length === 0 ? (
        <p className="hint">Nobody is banned here.</p>
      ) : (
        <ul data-testid="bans">
          {(bans.data ?? []).map((entry) => (
            <li key={entry.blockee._id}>
              <span className="mono">{entry.blockee._id}</span> since {formatTime(entry.createdAt)}
            </li>
          ))}
        </ul>
      )}
      <RoomMessages appId={appId} roomId={roomId} />
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete “${title}”?`}
          confirm="Delete room"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(undefined, { onSuccess: onDeleted })}
          onClose={() => setConfirmDelete(false)}
        >
          <p>The room and all its messages are deleted for good; its members lose them.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
