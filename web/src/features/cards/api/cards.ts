import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';
import { ApiProblem } from '@/lib/problem';

export type Card = Schemas['CardOut'];
export type PrintOrder = Schemas['PrintOrderOut'];
export type PrintOrderLine = Schemas['PrintOrderLine'];
export type CardStatus = Card['status'];
export type CardKind = Card['kind'];

export function useCards(unitId: string, status: CardStatus | undefined, kind: CardKind | undefined, after?: string) {
  return useQuery({
    queryKey: ['cards', unitId, status, kind, after],
    queryFn: () => unwrap(api.GET('/api/v1/cards/cards', {
      params: { query: { unit_id: unitId, status, kind, after, limit: 50 } },
    })),
    placeholderData: (previous) => previous,
  });
}

/** A unit's print orders, a page of 50; the page load asks for the first page (app/prefetch.ts). */
export const printOrdersQuery = (unitId: string, after?: string) => ({
  queryKey: ['print-orders', unitId, after],
  queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders', { params: { query: { unit_id: unitId, after, limit: 50 } } })),
});

export function usePrintOrders(unitId: string, after?: string) {
  return useQuery({
    ...printOrdersQuery(unitId, after),
    placeholderData: (previous) => previous,
  });
}

export function usePrintOrder(orderId: string) {
  return useQuery({
    queryKey: ['print-orders', 'one', orderId],
    queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders/{order_id}', { params: { path: { order_id: orderId } } })),
  });
}

export function useOrderLines(orderId: string, after?: string) {
  return useQuery({
    queryKey: ['print-orders', 'one', orderId, 'lines', after],
    queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders/{order_id}/cards', {
      params: { path: { order_id: orderId }, query: { after, limit: 50 } },
    })),
    placeholderData: (previous) => previous,
  });
}

function useCardsChanged() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ['print-orders'] });
    void queryClient.invalidateQueries({ queryKey: ['cards'] });
  };
}

export type PrintOrderPreview = Schemas['PrintOrderPreview'];

/** What an order of the unit would take now, and how many cards of members without a photo it would leave out. */
export function useOrderPreview(unitId: string, kind: CardKind | undefined) {
  return useQuery({
    queryKey: ['print-orders', 'preview', unitId, kind],
    queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders/preview', {
      params: { query: { unit_id: unitId, kind: kind ?? 'regular' } },
    })),
    enabled: kind !== undefined,
  });
}

export function usePlaceOrder() {
  const changed = useCardsChanged();
  return useMutation({
    mutationFn: (body: { unit_id: string; kind: CardKind; note?: string; include_without_photo: boolean }) =>
      unwrap(api.POST('/api/v1/cards/print-orders', { body })),
    onSuccess: changed,
  });
}

/** Trao thẻ: the member's unit records the day it handed a delivered card to its member. */
export function useHandOver() {
  const changed = useCardsChanged();
  return useMutation({
    mutationFn: ({ cardId, on }: { cardId: string; on: string }) =>
      unwrap(api.POST('/api/v1/cards/cards/{card_id}/handed-over', {
        params: { path: { card_id: cardId } }, body: { handed_over_on: on },
      })),
    onSuccess: changed,
  });
}

export type DeliveryProgress = Schemas['DeliveryProgress'];
export type SubunitDelivery = Schemas['SubunitDelivery'];

/** Where the order's cards of the unit's subtree are on their way down: what the unit has to receive and holds, and
 * per unit directly below it what waits here, is on its way, is held below, is delivered. */
export function useDelivery(orderId: string, unitId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['print-orders', 'delivery', orderId, unitId],
    queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders/{order_id}/delivery', {
      params: { path: { order_id: orderId }, query: { unit_id: unitId } },
    })),
    enabled,
  });
}

export type OrderStep =
  | { step: 'printed' }
  | { step: 'cancel'; reason: string }
  | { step: 'received'; unit_id: string }
  | { step: 'handed-down'; unit_id: string; to_unit_id: string };

export function useOrderStep(orderId: string) {
  const changed = useCardsChanged();
  return useMutation({
    mutationFn: (action: OrderStep): Promise<unknown> => {
      const params = { path: { order_id: orderId } };
      if (action.step === 'printed') return unwrap(api.POST('/api/v1/cards/print-orders/{order_id}/printed', { params }));
      if (action.step === 'cancel') {
        return unwrap(api.POST('/api/v1/cards/print-orders/{order_id}/cancel', { params, body: { reason: action.reason } }));
      }
      if (action.step === 'handed-down') {
        return unwrap(api.POST('/api/v1/cards/print-orders/{order_id}/handed-down', {
          params, body: { unit_id: action.unit_id, to_unit_id: action.to_unit_id },
        }));
      }
      return unwrap(api.POST('/api/v1/cards/print-orders/{order_id}/received', { params, body: { unit_id: action.unit_id } }));
    },
    onSuccess: changed,
  });
}

export type WithheldStep = Schemas['IssuanceWithheld'];

/** Steps of linked cards of the unit's subtree kept from every bank, and why (no consent to share data), newest first. */
export function useWithheld(unitId: string, after?: string) {
  return useQuery({
    queryKey: ['cards', 'withheld', unitId, after],
    queryFn: () => unwrap(api.GET('/api/v1/cards/issuance/withheld', {
      params: { query: { unit_id: unitId, after, limit: 50 } },
    })),
    placeholderData: (previous) => previous,
  });
}

export type FaceJob = Schemas['FaceJobOut'];

/** Card faces of an order made in the background in parts: start a job, then follow it until it is ready. */
export function useStartFaces(orderId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/cards/print-orders/{order_id}/faces', {
      params: { path: { order_id: orderId } },
    })),
    onSuccess: (job) => {
      queryClient.setQueryData(['print-orders', 'faces', orderId, job.job_id], job);
      void queryClient.invalidateQueries({ queryKey: ['print-orders', 'face-jobs', orderId] });
    },
  });
}

const FINISHED = ['ready', 'failed'];

/** The order's card-face jobs, newest first; followed while one of them is still being made. */
export function useFaceJobs(orderId: string) {
  return useQuery({
    queryKey: ['print-orders', 'face-jobs', orderId],
    queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders/{order_id}/faces', {
      params: { path: { order_id: orderId }, query: { limit: 20 } },
    })),
    refetchInterval: (query) => (query.state.data?.items.some((job) => !FINISHED.includes(job.state)) ? 1000 : false),
  });
}

export function useFaceJob(orderId: string, jobId: string | null) {
  return useQuery({
    queryKey: ['print-orders', 'faces', orderId, jobId],
    queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders/{order_id}/faces/{job_id}', {
      params: { path: { order_id: orderId, job_id: jobId as string } },
    })),
    enabled: Boolean(jobId),
    // Followed until it is finished: a part of 1,000 cards takes about a second.
    refetchInterval: (query) => (query.state.data && FINISHED.includes(query.state.data.state) ? false : 1000),
  });
}

export type Partner = Schemas['PartnerOut'];
export type Webhook = Schemas['WebhookOut'];
export type PartnerTopic = Schemas['PartnerTopicOut'];
export type ParkedDelivery = Schemas['ParkedDelivery'];
export type ParkedState = 'parked' | 'retrying' | 'delivered';

/** The banks of identity's partner catalogue. */
export function usePartners() {
  return useQuery({
    queryKey: ['partners'],
    queryFn: () => unwrap(api.GET('/api/v1/identity/partners')),
    staleTime: 60_000,
  });
}

/** What a partner has not set up yet is an answer (null), not an error. */
async function orNone<T>(load: Promise<T>, code: string): Promise<T | null> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404 && error.code === code) return null;
    throw error;
  }
}

export function useWebhook(partner: string) {
  return useQuery({
    queryKey: ['partners', partner, 'webhook'],
    queryFn: () => orNone(unwrap(api.GET('/api/v1/cards/partners/{partner}/webhook', {
      params: { path: { partner } },
    })), 'webhook-not-found'),
  });
}

export function usePartnerTopic(partner: string) {
  return useQuery({
    queryKey: ['partners', partner, 'topic'],
    queryFn: () => orNone(unwrap(api.GET('/api/v1/cards/partners/{partner}/topic', {
      params: { path: { partner } },
    })), 'topic-not-found'),
  });
}

export function useParked(partner: string, state: ParkedState | undefined, after: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['partners', partner, 'parked', state, after],
    queryFn: () => unwrap(api.GET('/api/v1/cards/partners/{partner}/webhook/parked', {
      params: { path: { partner }, query: { state, after, limit: 50 } },
    })),
    placeholderData: (previous) => previous,
    enabled,
  });
}

export type DeliveryAction =
  | { action: 'retry'; position: number }
  | { action: 'replay'; channel: 'webhook' | 'topic'; after: number };

/** The national centre's card office: send a parked step again, or deliver the feed again from a position. */
export function useDeliveryAction(partner: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (step: DeliveryAction): Promise<unknown> => {
      if (step.action === 'retry') {
        return unwrap(api.POST('/api/v1/cards/partners/{partner}/webhook/parked/{position}/retry', {
          params: { path: { partner, position: step.position } },
        }));
      }
      const body = { after: step.after };
      return step.channel === 'webhook'
        ? unwrap(api.POST('/api/v1/cards/partners/{partner}/webhook/replay', { params: { path: { partner } }, body }))
        : unwrap(api.POST('/api/v1/cards/partners/{partner}/topic/replay', { params: { path: { partner } }, body }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['partners', partner] }),
  });
}
