import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorPanel } from './ErrorPanel';

interface ErrorBoundaryProps {
  children: ReactNode;
  /** Called before the children are rendered again, e.g. to reset failed queries. */
  onReset?: () => void;
  /** When any of these change (e.g. the route), a shown error is cleared. */
  resetKeys?: readonly unknown[];
}

interface ErrorBoundaryState {
  error: unknown;
  hasError: boolean;
  resetKeys: readonly unknown[] | undefined;
}

/** Catches render errors below it and shows a readable message with a retry. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  state: ErrorBoundaryState = { error: undefined, hasError: false, resetKeys: this.props.resetKeys };

  static getDerivedStateFromError(error: unknown): Partial<ErrorBoundaryState> {
    return { error, hasError: true };
  }

  static getDerivedStateFromProps(props: ErrorBoundaryProps, state: ErrorBoundaryState): Partial<ErrorBoundaryState> | null {
    if (!changed(props.resetKeys, state.resetKeys)) return null;
    return { resetKeys: props.resetKeys, hasError: false, error: undefined };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('Partner Desk: a page failed to render', error, info.componentStack);
  }

  retry = () => {
    this.props.onReset?.();
    this.setState({ hasError: false, error: undefined });
  };

  render() {
    if (this.state.hasError) return <ErrorPanel error={this.state.error} onRetry={this.retry} />;
    return this.props.children;
  }
}

function changed(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === b) return false;
  if (!a || !b || a.length !== b.length) return true;
  return a.some((v, i) => !Object.is(v, b[i]));
}
