import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** POST /events/:id/registrations */
export class CreateRegistrationDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email: string;

  /** Endpoint name of a mounted provider ('stripe', 'paystack', 'feexpay', 'payqi', 'mvola'). */
  @ApiProperty({ example: 'stripe', description: 'A mounted endpoint: stripe, paystack, feexpay, payqi, standard-webhooks, mvola' })
  @IsString()
  @IsNotEmpty()
  provider: string;

  /** The payer's mobile-money number; with MVola, the demo asks MVola to charge it. */
  @ApiPropertyOptional({ example: '0343500003', description: 'Required with mvola: the number MVola charges' })
  @IsOptional()
  @Matches(/^\+?[0-9]{6,15}$/, { message: 'phone must be 6 to 15 digits, optionally after "+" (e.g. 0343500003)' })
  phone?: string;
}
