import { Kbd, Modal, Table } from '@mantine/core';
import { t } from '../../../i18n';

const SHORTCUTS: Array<[string[], string]> = [
  [['j'], t.shortcuts.next],
  [['k'], t.shortcuts.previous],
  [['Enter'], t.shortcuts.open],
  [['/'], t.shortcuts.search],
  [['r'], t.shortcuts.reply],
  [['n'], t.shortcuts.note],
  [['Ctrl', 'K'], t.shortcuts.palette],
  [['?'], t.shortcuts.help],
];

export function ShortcutsModal({ opened, onClose }: { opened: boolean; onClose(): void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={t.shortcuts.title} closeButtonProps={{ 'aria-label': t.common.close }}>
      <Table>
        <Table.Tbody>
          {SHORTCUTS.map(([keys, label]) => (
            <Table.Tr key={label}>
              <Table.Td>
                {keys.map((key) => (
                  <Kbd key={key} mr={4}>
                    {key}
                  </Kbd>
                ))}
              </Table.Td>
              <Table.Td>{label}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
