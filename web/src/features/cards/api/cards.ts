import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

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

export function usePrintOrders(unitId: string, after?: string) {
  return useQuery({
    queryKey: ['print-orders', unitId, after],
    queryFn: () => unwrap(api.GET('/api/v1/cards/print-orders', { params: { query: { unit_id: unitId, after, limit: 50 } } })),
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

export function usePlaceOrder() {
  const changed = useCardsChanged();
  return useMutation({
    mutationFn: (body: { unit_id: string; kind: CardKind; note?: string }) =>
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
