import { type FormEvent, useState } from 'react';
import { useDeleteMessage, usePinMessage, useRoomMessageSearch, useRoomMessages } from '../../api/chat';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';
import { TableWrap } from '../../components/TableWrap';

const text = (message: unknown) => (typeof message === 'string' ? message : JSON.stringify(message));

/**
 * A room's messages, newest first, 20 at a time (older pages by cursor); or, while a text is
 * searched, the messages containing it (50 newest).
 */
export function RoomMessages({ appId, roomId }: { appId: string; roomId: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const [input, setInput] = useState('');
  const [keyword, setKeyword] = useState('');
  const before = cursors[cursors.length - 1];
  const messages = useRoomMessages(appId, roomId, before);
  const found = useRoomMessageSearch(appId, roomId, keyword);
  const remove = useDeleteMessage(appId, roomId);
  const pin = usePinMessage(appId);
  const searching = keyword !== '';
  const data = (searching ? found.data?.data : messages.data?.data) ?? [];
  const loaded = searching ? found.data : messages.data;
  const oldest = data[data.length - 1];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setKeyword(input.trim());
  };
  return (
    <>
      <h3>Messages</h3>
      <form className="row" onSubmit={submit} aria-label="Search this room's messages">
        <label className="field grow">
          <span>Text contains</span>
          <input type="search" value={input} onChange={(event) => setInput(event.target.value)} />
        </label>
        <button type="submit">Search messages</button>
        {searching && (
          <button
            type="button"
            onClick={() => {
              setInput('');
              setKeyword('');
            }}
          >
            Clear search
          </button>
        )}
      </form>
      {searching && found.data && (
        <p role="status">
          {found.data.totalCount === 1 ? '1 message contains' : `${found.data.totalCount} messages contain`} “{keyword}”
        </p>
      )}
      <ErrorMessage error={(searching ? found.error : messages.error) ?? remove.error ?? pin.error} />
      <TableWrap label={searching ? 'Messages found' : 'Messages'}>
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
            {loaded && data.length === 0 && (
              <tr>
                <td colSpan={4}>No messages.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      {!searching && (
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
      )}
    </>
  );
}
