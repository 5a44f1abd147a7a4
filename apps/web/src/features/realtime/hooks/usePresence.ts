import { useCallback, useEffect, useRef, useState } from 'react';
import type { TicketPresence } from '@helpdesk/contracts';
import { useRealtime } from './realtime';

/** Sends `ticket:typing` at most this often while the person keeps typing; the server lets it lapse a few seconds after. */
const TYPING_EVERY_MS = 2_500;

/** Joins the ticket's room while the page is open; returns who else is here and a typing signal to call on keystrokes. */
export function usePresence(ticketId: string) {
  const { socket, connected } = useRealtime();
  const [presence, setPresence] = useState<TicketPresence | null>(null);
  const lastTyping = useRef(0);

  useEffect(() => {
    if (!socket || !connected) return;
    const onPresence = (update: TicketPresence) => {
      if (update.ticketId === ticketId) setPresence(update);
    };
    socket.on('presence', onPresence);
    socket.emit('ticket:join', { ticketId }, () => undefined);
    return () => {
      socket.off('presence', onPresence);
      socket.emit('ticket:leave', { ticketId }, () => undefined);
    };
  }, [socket, connected, ticketId]);

  const typing = useCallback(
    (internal: boolean) => {
      const now = Date.now();
      if (!socket?.connected || now - lastTyping.current < TYPING_EVERY_MS) return;
      lastTyping.current = now;
      socket.emit('ticket:typing', { ticketId, internal }, () => undefined);
    },
    [socket, ticketId],
  );

  const stoppedTyping = useCallback(() => {
    lastTyping.current = 0;
    socket?.emit('ticket:typing', { ticketId, typing: false }, () => undefined);
  }, [socket, ticketId]);

  return { presence, typing, stoppedTyping };
}
