import { type FormEvent, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { ROOMS_PAGE_SIZE, useRoomDirectory } from '../api/chat';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { Pager } from '../components/Pager';
import { TableWrap } from '../components/TableWrap';
import { RoomDetail } from './chat/RoomDetail';

/** Rooms: found by name or by user (the URL keeps the search and the open room), one opened below. */
export function RoomsPage({ appId }: { appId: string }) {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const roomId = search.get('room') ?? '';
  const name = search.get('name') ?? '';
  const user = search.get('user') ?? '';
  const page = Number(search.get('page') ?? '0') || 0;
  const [nameInput, setNameInput] = useState(name);
  const [userInput, setUserInput] = useState(user);
  const [roomInput, setRoomInput] = useState(roomId);
  const rooms = useRoomDirectory(appId, { name, user }, page);
  const go = (params: { room?: string; name?: string; user?: string; page?: number }) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, String(value));
    navigate(`/apps/${appId}/rooms?${query}`);
  };
  const find = (event: FormEvent) => {
    event.preventDefault();
    go({ name: nameInput.trim(), user: userInput.trim() });
  };
  const openRoom = (event: FormEvent) => {
    event.preventDefault();
    go({ room: roomInput.trim(), name, user, page });
  };
  const data = rooms.data?.data ?? [];
  const caption = [name && `named like “${name}”`, user && `of ${user}`].filter(Boolean).join(', ');
  return (
    <>
      <h1>Rooms</h1>
      <div className="row">
        <form className="card grow" onSubmit={find} aria-label="Find rooms">
          <div className="row">
            <label className="field grow">
              <span>Name contains</span>
              <input type="search" value={nameInput} onChange={(event) => setNameInput(event.target.value)} />
            </label>
            <label className="field grow">
              <span>Member or banned user (id)</span>
              <input type="search" value={userInput} onChange={(event) => setUserInput(event.target.value)} />
            </label>
            <button type="submit" className="primary">
              Find rooms
            </button>
          </div>
        </form>
        <form className="card" onSubmit={openRoom} aria-label="Open a room">
          <div className="row">
            <label className="field grow">
              <span>Room id</span>
              <input required value={roomInput} onChange={(event) => setRoomInput(event.target.value)} />
            </label>
            <button type="submit">Open room</button>
          </div>
        </form>
      </div>
      <ErrorMessage error={rooms.error} />
      <TableWrap label="Rooms">
        <table>
          <caption>{caption ? `Rooms ${caption}` : 'Every room, newest first'}</caption>
          <thead>
            <tr>
              <th scope="col">Room</th>
              <th scope="col">Name</th>
              <th scope="col">Members</th>
              <th scope="col">Last message</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.map((room) => (
              <tr key={room._id} aria-current={room._id === roomId ? 'true' : undefined}>
                <th scope="row" className="mono">
                  {room._id}
                </th>
                <td>{room.name || '—'}</td>
                <td>{room.memberCount}</td>
                <td>{room.lastMessageTimeMS ? formatTime(room.lastMessageTimeMS) : '—'}</td>
                <td>
                  <span className={`badge ${room.status === 0 ? 'revoked' : 'active'}`}>
                    {room.status === 0 ? 'frozen' : 'active'}
                  </span>
                  {room.isBanned && <span className="badge revoked"> {user} banned</span>}
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => go({ room: room._id, name, user, page })}
                    aria-label={`Open ${room._id}`}
                  >
                    Open
                  </button>
                </td>
              </tr>
            ))}
            {rooms.data && data.length === 0 && (
              <tr>
                <td colSpan={6}>No room found.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      <Pager
        page={page}
        pageSize={ROOMS_PAGE_SIZE}
        total={rooms.data?.totalCount ?? 0}
        loading={rooms.isFetching}
        onPage={(next) => go({ name, user, page: next })}
      />
      {roomId !== '' && (
        <RoomDetail key={roomId} appId={appId} roomId={roomId} onDeleted={() => go({ name, user, page })} />
      )}
    </>
  );
}
