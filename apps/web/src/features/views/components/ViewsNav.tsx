import { ActionIcon, Badge, Box, Button, Divider, Group, Loader, NavLink, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { QueueView } from '@helpdesk/contracts';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { useMoveView, useViews } from '../hooks/views';
import { groupViews, positionsAfterMove } from '../utils/view-order';

interface GroupProps {
  label: string;
  views: QueueView[];
  /** Move buttons beside each view (reordering is on and the caller may order this group). */
  movable: boolean;
  activeId: string | null;
  onNavigate(): void;
  onMove(group: QueueView[], index: number, by: -1 | 1): void;
  moveButtons: Map<string, HTMLButtonElement>;
}

function ViewGroup({ label, views, movable, activeId, onNavigate, onMove, moveButtons }: GroupProps) {
  const labelId = useId();
  if (views.length === 0) return null;
  const moveButton = (view: QueueView, index: number, by: -1 | 1) => (
    <ActionIcon
      variant="subtle"
      size="sm"
      aria-label={by < 0 ? t.views.moveUp(view.name) : t.views.moveDown(view.name)}
      disabled={by < 0 ? index === 0 : index === views.length - 1}
      onClick={() => onMove(views, index, by)}
      ref={(button) => {
        if (button) moveButtons.set(`${view.id}:${by}`, button);
        else moveButtons.delete(`${view.id}:${by}`);
      }}
    >
      <span aria-hidden>{by < 0 ? '↑' : '↓'}</span>
    </ActionIcon>
  );
  return (
    <Box role="group" aria-labelledby={labelId}>
      <Divider my={4} labelPosition="left" label={<span id={labelId}>{label}</span>} />
      {views.map((view, index) => {
        const count = t.views.count(view.count, view.countCapped);
        return (
          <Group key={view.id} gap={2} wrap="nowrap">
            <NavLink
              component={Link}
              to={`/tickets?view=${encodeURIComponent(view.id)}`}
              // The count is read out after the name ("My open, 3 tickets"), the badge shows it.
              label={
                <>
                  {view.name}
                  <VisuallyHidden component="span">{t.views.linkCount(count)}</VisuallyHidden>
                </>
              }
              rightSection={
                <Badge size="sm" variant="light" color={view.count > 0 ? 'indigo' : 'gray'} aria-hidden>
                  {count}
                </Badge>
              }
              active={activeId === view.id}
              onClick={onNavigate}
              style={{ flex: 1, minWidth: 0 }}
            />
            {movable ? (
              <>
                {moveButton(view, index, -1)}
                {moveButton(view, index, 1)}
              </>
            ) : null}
          </Group>
        );
      })}
    </Box>
  );
}

/**
 * The sidebar's views with their live counts (the queue is built on them), then every ticket.
 * Shared views come first, ordered by admins for everyone; then the caller's own, ordered by them.
 */
export function ViewsNav({ onNavigate }: { onNavigate(): void }) {
  const views = useViews();
  const me = useCurrentUser();
  const location = useLocation();
  const current = new URLSearchParams(location.search).get('view');
  const onQueue = location.pathname === '/tickets';
  const { shared, personal } = useMemo(() => groupViews(views.data ?? []), [views.data]);
  // Shared views are the admins' to order (the API refuses anyone else); personal views are their owner's.
  const sharedMovable = me.user.role === 'admin' && shared.length > 1;
  const personalMovable = personal.length > 1;
  const [reordering, setReordering] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const move = useMoveView((error) => notifications.show({ color: 'red', message: describeError(error) }));
  const moveButtons = useRef(new Map<string, HTMLButtonElement>()).current;
  // The moved view's row is put elsewhere in the DOM, which takes the focus from its button: given back once it shows.
  const focusAfterMove = useRef<{ id: string; by: -1 | 1 } | null>(null);
  useEffect(() => {
    const target = focusAfterMove.current;
    if (!target) return;
    focusAfterMove.current = null;
    const same = moveButtons.get(`${target.id}:${target.by}`);
    (same && !same.disabled ? same : moveButtons.get(`${target.id}:${-target.by}`))?.focus();
  }, [views.data, moveButtons]);

  const onMove = (group: QueueView[], index: number, by: -1 | 1) => {
    const changes = positionsAfterMove(group, index, by);
    const view = group[index];
    if (!view || changes.length === 0) return;
    focusAfterMove.current = { id: view.id, by };
    setAnnouncement(t.views.moved(view.name, index + by + 1, group.length));
    move.mutate(changes);
  };
  const groupProps = { activeId: onQueue ? current : null, onNavigate, onMove, moveButtons };

  return (
    <>
      {views.isPending ? <Loader role="status" size="xs" m="xs" aria-label={t.views.loading} /> : null}
      {views.isError ? (
        <Text size="xs" c="red" px="xs" role="alert">
          {t.views.loadFailed}
        </Text>
      ) : null}
      <ViewGroup label={t.views.sharedViews} views={shared} movable={reordering && sharedMovable} {...groupProps} />
      <ViewGroup label={t.views.myViews} views={personal} movable={reordering && personalMovable} {...groupProps} />
      <Divider my={4} />
      <NavLink component={Link} to="/tickets" label={t.nav.allTickets} active={onQueue && location.search === ''} onClick={onNavigate} />
      {sharedMovable || personalMovable ? (
        <Button variant="subtle" size="compact-xs" mx="xs" mt={4} onClick={() => setReordering((on) => !on)}>
          {reordering ? t.views.doneReordering : t.views.reorder}
        </Button>
      ) : null}
      <VisuallyHidden role="status">{announcement}</VisuallyHidden>
    </>
  );
}
