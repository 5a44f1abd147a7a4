import { Tooltip } from '@mantine/core';
import { cloneElement, useRef, useState, type ReactElement, type ReactNode, type Ref } from 'react';

interface Props {
  /** The tooltip's text, or a function giving it, called only once the element is hovered. */
  label: ReactNode | (() => ReactNode);
  /** One element that accepts a ref and mouse handlers (Mantine components do). */
  children: ReactElement<{ ref?: Ref<HTMLElement>; onMouseEnter?(): void; onMouseLeave?(): void }>;
}

/**
 * A Mantine Tooltip mounted on the first hover. Each mounted Tooltip sets up a floating-ui instance
 * (hooks, listeners) whether it shows or not, and a queue page has four per row. Like Tooltip's
 * defaults it shows on hover only; until then the element renders alone, with no wrapper.
 */
export function HoverTooltip({ label, children }: Props) {
  const target = useRef<HTMLElement>(null);
  // null until the first hover: no Tooltip mounted.
  const [hovered, setHovered] = useState<boolean | null>(null);
  const element = cloneElement(children, { ref: target, onMouseEnter: () => setHovered(true), onMouseLeave: () => setHovered(false) });
  // The same shape before and after the first hover, so the element is kept, not remounted.
  return (
    <>
      {element}
      {hovered === null ? null : <Tooltip label={typeof label === 'function' ? label() : label} opened={hovered} target={target} />}
    </>
  );
}
