import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { filtersFromSearch, searchFromFilters, type QueueFilters } from './queue-filters';

/** The queue's filters read from and written to the URL (replacing the entry, so typing does not fill the history). */
export function useQueueFilters(): [QueueFilters, (changes: Partial<QueueFilters>) => void, () => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(params), [params]);
  const update = useCallback(
    (changes: Partial<QueueFilters>) => setParams((current) => searchFromFilters({ ...filtersFromSearch(current), ...changes }), { replace: true }),
    [setParams],
  );
  // Clearing the filters keeps the open view: it empties what was picked on top of it.
  const clear = useCallback(
    () =>
      setParams((current) => {
        const view = current.get('view');
        return new URLSearchParams(view ? { view } : {});
      }, { replace: true }),
    [setParams],
  );
  return [filters, update, clear];
}
