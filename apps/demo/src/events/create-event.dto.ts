import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** POST /events */
export class CreateEventDto {
  @ApiProperty({ example: 'NestJS Conf', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiProperty({ example: 100, minimum: 1, maximum: 1_000_000, description: 'Seats' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  capacity: number;

  /** Integer minor units: 1999 for 19.99 USD; zero-decimal currencies (XOF, MGA) count whole units. */
  @ApiProperty({ example: 5000, minimum: 0, description: 'Integer minor units: 1999 for 19.99 USD; zero-decimal currencies (XOF, MGA) count whole units' })
  @IsInt({ message: 'priceMinor must be an integer number of minor units (1999 for 19.99)' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  priceMinor: number;

  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3,5}$', description: 'ISO 4217 code or crypto asset code' })
  @Matches(/^[A-Z]{3,5}$/, { message: 'currency must be 3 to 5 capital letters: an ISO 4217 code (USD, XOF) or an asset code (XRP)' })
  currency: string;
}
