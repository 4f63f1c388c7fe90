import { type FormEvent, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useRoomsOf } from '../api/chat';
import { ErrorMessage } from '../components/ErrorMessage';
import { TableWrap } from '../components/TableWrap';
import { RoomDetail } from './chat/RoomDetail';

export function RoomsPage({ appId }: { appId: string }) {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const roomId = search.get('room') ?? '';
  const member = search.get('member') ?? '';
  const [roomInput, setRoomInput] = useState(roomId);
  const [memberInput, setMemberInput] = useState(member);
  const rooms = useRoomsOf(appId, member);
  const go = (params: Record<string, string>) => navigate(`/apps/${appId}/rooms?${new URLSearchParams(params)}`);
  const openRoom = (event: FormEvent) => {
    event.preventDefault();
    go({ room: roomInput.trim(), member });
  };
  const listRooms = (event: FormEvent) => {
    event.preventDefault();
    go({ member: memberInput.trim() });
  };
  return (
    <>
      <h1>Rooms</h1>
      <div className="row">
        <form className="card grow" onSubmit={openRoom} aria-label="Open a room">
          <div className="row">
            <label className="field grow">
              <span>Room id</span>
              <input required value={roomInput} onChange={(event) => setRoomInput(event.target.value)} />
            </label>
            <button type="submit" className="primary">
              Open room
            </button>
          </div>
        </form>
        <form className="card grow" onSubmit={listRooms} aria-label="Rooms of a member">
          <div className="row">
            <label className="field grow">
              <span>Member (user id)</span>
              <input required value={memberInput} onChange={(event) => setMemberInput(event.target.value)} />
            </label>
            <button type="submit">List rooms</button>
          </div>
        </form>
      </div>
      {member !== '' && (
        <>
          <ErrorMessage error={rooms.error} />
          <TableWrap label={`Rooms of ${member}`}>
            <table>
              <caption>Rooms of {member}</caption>
              <thead>
                <tr>
                  <th scope="col">Room</th>
                  <th scope="col">Name</th>
                  <th scope="col">Members</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {(rooms.data?.data ?? []).map((room) => (
                  <tr key={room._id}>
                    <th scope="row" className="mono">
                      {room._id}
                    </th>
                    <td>{room.name || '—'}</td>
                    <td>{room.members?.length ?? 0}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() => go({ room: room._id, member })}
                        aria-label={`Open ${room._id}`}
                      >
                        Open
                      </button>
                    </td>
                  </tr>
                ))}
                {rooms.data && rooms.data.data.length === 0 && (
                  <tr>
                    <td colSpan={4}>No active rooms.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
      {roomId !== '' && <RoomDetail key={roomId} appId={appId} roomId={roomId} onDeleted={() => go({ member })} />}
    </>
  );
}
