import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateCommentCommand, ListCommentsCommand, subjects } from '@helpdesk/contracts';
import { CommentsService } from './comments.service.js';

@Controller()
export class CommentsController {
  constructor(@Inject(CommentsService) private readonly comments: CommentsService) {}

  @MessagePattern(subjects.comments.create)
  create(@Payload() command: CreateCommentCommand) {
    return this.comments.create(command);
  }

  @MessagePattern(subjects.comments.list)
  list(@Payload() command: ListCommentsCommand) {
    return this.comments.list(command);
  }
}
