import { useState } from 'react';
import { useDeleteMessage, usePinMessage, useRoomMessages } from '../../api/chat';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';
import { TableWrap } from '../../components/TableWrap';

const text = (message: unknown) => (typeof message === 'string' ? message : JSON.stringify(message));

/** A room's messages, newest first, 20 at a time (older pages by cursor). */
export function RoomMessages({ appId, roomId }: { appId: string; roomId: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const before = cursors[cursors.length - 1];
  const messages = useRoomMessages(appId, roomId, before);
  const remove = useDeleteMessage(appId, roomId);
  const pin = usePinMessage(appId);
  const data = messages.data?.data ?? [];
  const oldest = data[data.length - 1];
  return (
    <>
      <h3>Messages</h3>
      <ErrorMessage error={messages.error ?? remove.error ?? pin.error} />
      <TableWrap label="Messages">
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Sender</th>
              <th scope="col">Message</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.map((message) => (
              <tr key={message._id}>
                <td>{formatTime(message.messageTimeMS)}</td>
                <td className="mono">{message.sender?._id ?? '—'}</td>
                <td className="wrap">
                  {message.pinned && <span className="badge active">pinned</span>}{' '}
                  {message.messageType !== 'text' && <span className="hint">[{message.messageType}] </span>}
                  {text(message.message)}
                </td>
                <td>
                  <div className="actions">
                    <button
                      type="button"
                      disabled={pin.isPending}
                      onClick={() => pin.mutate({ messageId: message._id, pinned: !message.pinned })}
                      aria-label={`${message.pinned ? 'Unpin' : 'Pin'} message ${message._id}`}
                    >
                      {message.pinned ? 'Unpin' : 'Pin'}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(message._id)}
                      aria-label={`Delete message ${message._id}`}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
            {messages.data && data.length === 0 && (
              <tr>
                <td colSpan={4}>No messages.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      <div className="row pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer messages
        </button>
        <button
          type="button"
          disabled={!oldest || data.length < 20}
          onClick={() => oldest && setCursors([...cursors, oldest._id])}
        >
          Older messages
        </button>
      </div>
    </>
  );
}
