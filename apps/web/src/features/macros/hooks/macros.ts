import { useMutation, useQuery, useQueryClient, keepPreviousData } from '@tanstack/react-query';
import type { TicketView } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import {
  applyMacro,
  createCannedResponse,
  createMacro,
  deleteCannedResponse,
  deleteMacro,
  listCannedResponses,
  listMacros,
  previewMacro,
  renderCannedResponse,
  updateCannedResponse,
  updateMacro,
  type CannedResponseInput,
  type MacroInput,
} from '../api/macros';

function useInvalidating<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>, key: readonly unknown[]) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }) });
}

/** The macros the caller sees (an organization keeps at most 500; the first 100 by name are shown). */
export const useMacros = (enabled = true) => useQuery({ queryKey: queryKeys.macros.list, queryFn: ({ signal }) => listMacros(undefined, signal), enabled });
export const useCreateMacro = () => useInvalidating(createMacro, queryKeys.macros.all);
export const useUpdateMacro = () => useInvalidating(({ id, ...changes }: MacroInput & { id: string }) => updateMacro(id, changes), queryKeys.macros.all);
export const useDeleteMacro = () => useInvalidating(deleteMacro, queryKeys.macros.all);

/** What the macro would do to the ticket, computed by the server and saved nowhere; read again when the ticket changes. */
export const useMacroPreview = (ticket: TicketView, macroId: string | null) =>
  useQuery({
    queryKey: [...queryKeys.macros.preview(ticket.id, macroId ?? ''), ticket.version],
    queryFn: ({ signal }) => previewMacro(ticket.id, macroId!, signal),
    enabled: macroId !== null,
    retry: false,
    gcTime: 0,
  });

/** The answer replaces the cached ticket; the conversation and history gain the macro's comment and entry. */
export function useApplyMacro(ticketId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ macroId, version }: { macroId: string; version: number }) => applyMacro(ticketId, macroId, version),
    onSuccess: (ticket) => {
      queryClient.setQueryData<TicketView>(queryKeys.tickets.detail(ticketId), ticket);
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.comments(ticketId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.history(ticketId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.lists });
    },
  });
}

export const useCannedResponses = (q: string, enabled = true) =>
  useQuery({ queryKey: queryKeys.cannedResponses.list(q), queryFn: ({ signal }) => listCannedResponses(q, undefined, signal), enabled, placeholderData: keepPreviousData });
export const useCreateCannedResponse = () => useInvalidating(createCannedResponse, queryKeys.cannedResponses.all);
export const useUpdateCannedResponse = () => useInvalidating(({ id, ...changes }: CannedResponseInput & { id: string }) => updateCannedResponse(id, changes), queryKeys.cannedResponses.all);
export const useDeleteCannedResponse = () => useInvalidating(deleteCannedResponse, queryKeys.cannedResponses.all);
export const useRenderCannedResponse = (ticketId: string) => useMutation({ mutationFn: (cannedId: string) => renderCannedResponse(ticketId, cannedId) });
