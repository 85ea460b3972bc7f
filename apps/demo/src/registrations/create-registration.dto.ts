import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** POST /events/:id/registrations */
export class CreateRegistrationDto {
  @IsEmail()
  @MaxLength(254)
  email: string;

  /** Endpoint name of a mounted provider ('stripe', 'paystack', 'feexpay', 'payqi', 'mvola'). */
  @IsString()
  @IsNotEmpty()
  provider: string;

  /** The payer's mobile-money number; with MVola, the demo asks MVola to charge it. */
  @IsOptional()
  @Matches(/^\+?[0-9]{6,15}$/, { message: 'phone must be 6 to 15 digits, optionally after "+" (e.g. 0343500003)' })
  phone?: string;
}
