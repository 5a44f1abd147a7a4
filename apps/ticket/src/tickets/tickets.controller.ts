import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddParticipantCommand,
  AddTicketLinkCommand,
  BulkUpdateTicketsCommand,
  CreateTicketCommand,
  ListTicketsCommand,
  MergeTicketCommand,
  PageCommand,
  ParticipantRefCommand,
  subjects,
  TicketLinkRefCommand,
  TicketRefCommand,
  UpdateTicketCommand,
} from '@helpdesk/contracts';
import { TicketBulkUpdateService } from './ticket-bulk-update.service.js';
import { TicketLinksService } from './ticket-links.service.js';
import { TicketMergeService } from './ticket-merge.service.js';
import { TicketFollowersService } from './ticket-followers.service.js';
import { TicketParticipantsService } from './ticket-participants.service.js';
import { TicketsService } from './tickets.service.js';

@Controller()
export class TicketsController {
  constructor(
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(TicketParticipantsService) private readonly participants: TicketParticipantsService,
    @Inject(TicketMergeService) private readonly merges: TicketMergeService,
    @Inject(TicketLinksService) private readonly links: TicketLinksService,
    @Inject(TicketBulkUpdateService) private readonly bulk: TicketBulkUpdateService,
    @Inject(TicketFollowersService) private readonly followers: TicketFollowersService,
  ) {}

  @MessagePattern(subjects.tickets.create)
  create(@Payload() command: CreateTicketCommand) {
    return this.tickets.create(command);
  }

  @MessagePattern(subjects.tickets.get)
  get(@Payload() command: TicketRefCommand) {
    return this.tickets.get(command.principal, command.ticketId);
  }

  @MessagePattern(subjects.tickets.list)
  list(@Payload() command: ListTicketsCommand) {
    return this.tickets.list(command);
  }

  @MessagePattern(subjects.tickets.update)
  update(@Payload() command: UpdateTicketCommand) {
    return this.tickets.update(command);
  }

  @MessagePattern(subjects.tickets.history)
  history(@Payload() command: PageCommand) {
    return this.tickets.history(command);
  }

  @MessagePattern(subjects.tickets.participants)
  listParticipants(@Payload() command: PageCommand) {
    return this.participants.list(command);
  }

  @MessagePattern(subjects.tickets.addParticipant)
  addParticipant(@Payload() command: AddParticipantCommand) {
    return this.participants.add(command);
  }

  @MessagePattern(subjects.tickets.removeParticipant)
  async removeParticipant(@Payload() command: ParticipantRefCommand) {
    await this.participants.remove(command);
    return {};
  }

  @MessagePattern(subjects.tickets.merge)
  merge(@Payload() command: MergeTicketCommand) {
    return this.merges.merge(command);
  }

  @MessagePattern(subjects.tickets.links)
  listLinks(@Payload() command: PageCommand) {
    return this.links.list(command);
  }

  @MessagePattern(subjects.tickets.addLink)
  addLink(@Payload() command: AddTicketLinkCommand) {
    return this.links.add(command);
  }

  @MessagePattern(subjects.tickets.removeLink)
  async removeLink(@Payload() command: TicketLinkRefCommand) {
    await this.links.remove(command);
    return {};
  }

  @MessagePattern(subjects.tickets.bulkUpdate)
  bulkUpdate(@Payload() command: BulkUpdateTicketsCommand) {
    return this.bulk.update(command);
  }
  @MessagePattern(subjects.tickets.followers)
  listFollowers(@Payload() command: PageCommand) {
    return this.followers.list(command);
  }

  @MessagePattern(subjects.tickets.follow)
  follow(@Payload() command: TicketRefCommand) {
    return this.followers.follow(command);
  }

  @MessagePattern(subjects.tickets.unfollow)
  async unfollow(@Payload() command: TicketRefCommand) {
    await this.followers.unfollow(command);
    return {};
  }
}
