// Registers and numbering scopes as a service: the configuration an administrator keeps after setup,
// and the yearly closing of a register. Rights are checked in registers.ts.
import type { RegisterAdminView, RegistersAdmin, ScopeView } from '../../../common/contract';
import type { RegisterCreate, RegisterUpdate, ScopeInput, ScopeUpdate } from '../../../common/schemas';
import type { ContextSource } from '../context';
import type { Actor } from '../org/rights';
import * as registers from './registers';

export class RegisterService {
  constructor(private readonly source: ContextSource) {}

  overview(actor: Actor): RegistersAdmin {
    return registers.registersAdmin(this.source.context(), actor);
  }

  create(actor: Actor, input: RegisterCreate): Promise<RegisterAdminView> {
    return registers.createRegister(this.source.context(), actor, input);
  }

  update(actor: Actor, input: RegisterUpdate): Promise<RegisterAdminView> {
    return registers.updateRegister(this.source.context(), actor, input);
  }

  createScope(actor: Actor, input: ScopeInput): Promise<ScopeView> {
    return registers.createScope(this.source.context(), actor, input);
  }

  updateScope(actor: Actor, input: ScopeUpdate): Promise<ScopeView> {
    return registers.updateScope(this.source.context(), actor, input);
  }

  closeYear(actor: Actor, input: { registerId: number; year: number }): ReturnType<typeof registers.closeYear> {
    return registers.closeYear(this.source.context(), actor, input);
  }
}
