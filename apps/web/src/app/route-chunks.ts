/**
 * The signed-in frame's and the queue's chunks, shared by the routes (React.lazy) and the early start,
 * which begins loading them on `/tickets` before React has rendered anything.
 */
export const loadShell = () => import('../features/shell/components/Shell');
export const loadQueuePage = () => import('../features/tickets/components/QueuePage');
