ALTER TABLE "campaigns" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "request_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_requester_request" ON "campaigns" USING btree ("requested_by_id","request_id");