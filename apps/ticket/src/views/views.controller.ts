import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateViewCommand, ListViewsCommand, subjects, UpdateViewCommand, ViewRefCommand } from '@helpdesk/contracts';
import { ViewsService } from './views.service.js';

@Controller()
export class ViewsController {
  constructor(@Inject(ViewsService) private readonly views: ViewsService) {}

  @MessagePattern(subjects.views.list)
  list(@Payload() command: ListViewsCommand) {
    return this.views.list(command);
  }

  @MessagePattern(subjects.views.get)
  get(@Payload() command: ViewRefCommand) {
    return this.views.get(command);
  }

  @MessagePattern(subjects.views.create)
  create(@Payload() command: CreateViewCommand) {
    return this.views.create(command);
  }

  @MessagePattern(subjects.views.update)
  update(@Payload() command: UpdateViewCommand) {
    return this.views.update(command);
  }

  @MessagePattern(subjects.views.delete)
  delete(@Payload() command: ViewRefCommand) {
    return this.views.delete(command);
  }
}
