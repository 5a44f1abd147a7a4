import { Badge, Loader, NavLink, Text, VisuallyHidden } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { t } from '../../../i18n';
import { useViews } from '../hooks/views';

/** The sidebar's views with their live counts (the queue is built on them), then every ticket. */
export function ViewsNav({ onNavigate }: { onNavigate(): void }) {
  const views = useViews();
  const location = useLocation();
  const current = new URLSearchParams(location.search).get('view');
  const onQueue = location.pathname === '/tickets';

  return (
    <>
      {views.isPending ? <Loader size="xs" m="xs" aria-label={t.views.loading} /> : null}
      {views.isError ? (
        <Text size="xs" c="red" px="xs" role="alert">
          {t.views.loadFailed}
        </Text>
      ) : null}
      {(views.data ?? []).map((view) => {
        const count = t.views.count(view.count, view.countCapped);
        return (
          <NavLink
            key={view.id}
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
            active={onQueue && current === view.id}
            onClick={onNavigate}
          />
        );
      })}
      <NavLink component={Link} to="/tickets" label={t.nav.allTickets} active={onQueue && location.search === ''} onClick={onNavigate} />
    </>
  );
}
