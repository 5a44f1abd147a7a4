import { Badge, Button, Group, Modal, Paper, Stack, Switch, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { t } from '../../../i18n';

interface ListedItem {
  id: string;
  name: string;
  /** Kinds that can be switched off (triggers, automations) have it. */
  active?: boolean;
}

// Item is inferred from `items` alone (NoInfer): a callback such as a state setter would otherwise widen it.
interface RuleListProps<Item extends ListedItem> {
  items: readonly Item[];
  /** The line under the name: what the item does, in a few words. */
  describe(item: NoInfer<Item>): ReactNode;
  /** Accessible names of the buttons, e.g. "Edit trigger Route refunds". */
  editLabel(item: NoInfer<Item>): string;
  deleteLabel(item: NoInfer<Item>): string;
  confirmDelete(item: NoInfer<Item>): string;
  onEdit(item: NoInfer<Item>): void;
  /** Deletes the item; `done` closes the confirmation, whatever the answer. */
  onDelete(item: NoInfer<Item>, done: () => void): void;
  deleting: boolean;
  /**
   * Items that can be switched off show the switch, and an "Off" badge while off. The promise settles
   * once the change is saved and the list refetched; until then the switch shows the new state.
   */
  onActiveChange?(item: NoInfer<Item>, active: boolean): Promise<unknown>;
  /** Ordered items (triggers) move up and down; `moving` disables the buttons while a move is saved. */
  onMove?(index: number, by: -1 | 1): void;
  moving?: boolean;
  moveUpLabel?(item: NoInfer<Item>): string;
  moveDownLabel?(item: NoInfer<Item>): string;
  /** Buttons of one kind only (an automation's preview), before edit and delete. */
  extraActions?(item: NoInfer<Item>): ReactNode;
}

/**
 * The list of the rule screens (triggers, automations, macros and canned responses): one section per
 * item, named after it, with its summary, the switch and order where the kind has them, edit, and
 * delete behind a confirmation (a rule is shared work, and one click should not lose it).
 */
export function RuleList<Item extends ListedItem>(props: RuleListProps<Item>) {
  const { items, describe, editLabel, deleteLabel, onEdit, onActiveChange, onMove, moving, moveUpLabel, moveDownLabel, extraActions } = props;
  const [confirming, setConfirming] = useState<Item | null>(null);
  // The switch follows the click at once: waiting for the refetch would let a second quick click send the old state again.
  const [switching, setSwitching] = useState<ReadonlyMap<string, boolean>>(new Map());
  const switchActive = (item: Item, active: boolean) => {
    setSwitching((current) => new Map(current).set(item.id, active));
    void onActiveChange?.(item, active).finally(() =>
      setSwitching((current) => {
        const next = new Map(current);
        if (next.get(item.id) === active) next.delete(item.id);
        return next;
      }),
    );
  };
  return (
    <>
      {items.map((item, index) => {
        const active = switching.get(item.id) ?? item.active;
        return (
          <Paper key={item.id} withBorder p="sm" component="section" aria-label={item.name}>
            <Group justify="space-between" wrap="wrap">
              <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
                <Group gap="xs">
                  <Text fw={600}>{item.name}</Text>
                  {active === false ? <Badge color="gray">{t.rules.inactive}</Badge> : null}
                </Group>
                <Text size="xs" c="dimmed">
                  {describe(item)}
                </Text>
              </Stack>
              <Group gap="xs">
                {onActiveChange && item.active !== undefined ? (
                  <Switch label={t.rules.active} aria-label={t.rules.activeOf(item.name)} checked={active} onChange={(event) => switchActive(item, event.currentTarget.checked)} />
                ) : null}
                {onMove ? (
                  <>
                    <Button size="xs" variant="default" disabled={index === 0 || moving} onClick={() => onMove(index, -1)} aria-label={moveUpLabel?.(item)}>
                      ↑
                    </Button>
                    <Button size="xs" variant="default" disabled={index === items.length - 1 || moving} onClick={() => onMove(index, 1)} aria-label={moveDownLabel?.(item)}>
                      ↓
                    </Button>
                  </>
                ) : null}
                {extraActions?.(item)}
                <Button size="xs" variant="light" onClick={() => onEdit(item)} aria-label={editLabel(item)}>
                  {t.rules.edit}
                </Button>
                <Button size="xs" variant="subtle" color="red" onClick={() => setConfirming(item)} aria-label={deleteLabel(item)}>
                  {t.rules.delete}
                </Button>
              </Group>
            </Group>
          </Paper>
        );
      })}
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={confirming !== null} onClose={() => setConfirming(null)} title={confirming ? deleteLabel(confirming) : ''}>
        <Stack gap="sm">
          <Text size="sm">{confirming ? props.confirmDelete(confirming) : ''}</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setConfirming(null)}>
              {t.common.cancel}
            </Button>
            <Button color="red" loading={props.deleting} onClick={() => confirming && props.onDelete(confirming, () => setConfirming(null))}>
              {t.rules.delete}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
