import { Button, type ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { ConfirmDialog } from './ConfirmDialog';

interface ConfirmButtonProps extends ButtonProps {
  /** The button's text (also the confirm button's, unless confirmLabel says otherwise). */
  children: ReactNode;
  title: string;
  /** What will happen, in a sentence or two. */
  message: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
  'aria-label'?: string;
}

/** A button for a destructive action: asks before doing it. */
export function ConfirmButton({ children, title, message, confirmLabel, onConfirm, ...buttonProps }: ConfirmButtonProps) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button color="red" variant="light" size="xs" {...buttonProps} onClick={open}>
        {children}
      </Button>
      <ConfirmDialog
        opened={opened}
        onClose={close}
        onConfirm={onConfirm}
        title={title}
        message={message}
        confirmLabel={confirmLabel ?? (typeof children === 'string' ? children : 'Confirm')}
      />
    </>
  );
}
