ALTER TABLE "attachments" ADD COLUMN "stored_at" timestamp with time zone;--> statement-breakpoint
UPDATE "attachments" SET "stored_at" = "created_at";
